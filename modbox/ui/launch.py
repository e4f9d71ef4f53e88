"""Entry points the command line calls: ``modbox play [FILE]`` and ``modbox learn [ID]``.

Both start the sandbox before they import Textual: its worker is a process of its own that
imports torch (seconds) while the app imports Textual and draws its first frame, so the two
overlap instead of taking turns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NoReturn

if TYPE_CHECKING:
    from modbox.sandbox.host.api import SandboxConnection


def start_worker() -> Callable[[], SandboxConnection]:
    """Start the sandbox's worker now; returns the factory that hands the sandbox to the app.

    A sandbox that cannot be made here (a bad ``MODBOX_SANDBOX``, say) raises from the factory
    instead, where the app shows why on its status line."""
    try:
        from modbox.sandbox import Sandbox

        sandbox = Sandbox()
        sandbox.start()
    except Exception as exc:
        error = exc

        def failed() -> NoReturn:
            raise error

        return failed
    return lambda: sandbox


def play(args) -> int:
    factory = start_worker()
    from modbox.ui.app import ModboxApp

    app = ModboxApp(file=getattr(args, "file", None), sandbox_factory=factory)
    app.run()
    return app.return_code or 0


def learn(args) -> int:
    """``modbox`` and ``modbox learn [ID] [--lessons DIR]``: the lesson menu, or one lesson."""
    import sys
    from pathlib import Path

    folder = getattr(args, "lessons", None)
    if folder is not None and not Path(folder).expanduser().is_dir():
        print(f"modbox: the lesson folder {folder} does not exist (or is not a folder). "
              "Give --lessons a folder that holds lesson folders, or leave it out for the "
              "built-in lessons.", file=sys.stderr)
        return 2
    factory = start_worker()
    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import ProgressStore
    from modbox.ui.learn_app import LearnApp

    catalog = load_catalog(Path(folder).expanduser() if folder else None)
    app = LearnApp(catalog, ProgressStore(), getattr(args, "lesson_id", None), sandbox_factory=factory)
    app.run()
    return app.return_code or 0
