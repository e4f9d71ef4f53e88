"""Entry points the command line calls: ``modbox play [FILE]`` and ``modbox learn [ID]``.

Both start the sandbox before they import Textual: its worker is a process of its own that
imports torch (seconds) while the app imports Textual and draws its first frame, so the two
overlap instead of taking turns.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable

from modbox.ui import collector

if TYPE_CHECKING:
    from modbox.sandbox.host.api import SandboxConnection


def start_worker(reads: list) -> Callable[[], SandboxConnection]:
    """Start the sandbox's worker now, letting runs read ``reads`` too; returns the factory
    that hands the sandbox to the app.

    The sandbox is made and started on a thread of its own: choosing its tier runs a trial
    bubblewrap sandbox (tens of milliseconds, more on a busy machine) that the app's imports
    need not wait for, and the worker starts as soon as that trial ends. The factory waits for
    the thread (the app calls it on a thread of its own, after its first frame). A sandbox that
    cannot be made (a bad ``MODBOX_SANDBOX``, say) raises from the factory, where the app shows
    why on its status line."""
    from modbox.sandbox import Sandbox

    made: list = []

    def make() -> None:
        try:
            sandbox = Sandbox(reads=reads)
            sandbox.start()
        except Exception as exc:
            made.append(exc)
        else:
            made.append(sandbox)

    thread = threading.Thread(target=make, name="modbox-worker-start", daemon=True)
    thread.start()

    def factory() -> SandboxConnection:
        thread.join()
        if isinstance(made[0], Exception):
            raise made[0]
        return made[0]

    return factory


def worker_reads(args) -> list | None:
    """What the learner's programs may read besides Python and the system (the folder of the
    file ``modbox play`` opens, --allow-read, config.toml); None (after saying why) when an
    --allow-read folder or config.toml is wrong."""
    import sys

    from modbox.sandbox.host.reads import BadReadPath, extra_reads

    try:
        return extra_reads(getattr(args, "file", None), getattr(args, "allow_read", None))
    except BadReadPath as e:
        print(f"modbox: {e}", file=sys.stderr)
        return None


def play(args, sandbox_factory: Callable[[], SandboxConnection] | None = None) -> int:
    """``sandbox_factory``: a worker started earlier (``modbox serve`` starts it ahead)."""
    collector.pause_for_start_up()
    if sandbox_factory is None:
        reads = worker_reads(args)
        if reads is None:
            return 2
        sandbox_factory = start_worker(reads)
    from modbox.ui.app import ModboxApp

    app = ModboxApp(file=getattr(args, "file", None), sandbox_factory=sandbox_factory)
    app.run()
    return app.return_code or 0


def learn(args, sandbox_factory: Callable[[], SandboxConnection] | None = None) -> int:
    """``modbox`` and ``modbox learn [ID] [--lessons DIR]``: the lesson menu, or one lesson."""
    collector.pause_for_start_up()
    import sys
    from pathlib import Path

    from modbox.lessons.loader import missing_folder

    folder = getattr(args, "lessons", None)
    problem = missing_folder(folder)
    if problem:
        print(f"modbox: {problem}", file=sys.stderr)
        return 2
    if sandbox_factory is None:
        reads = worker_reads(args)
        if reads is None:
            return 2
        sandbox_factory = start_worker(reads)
    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import ProgressStore
    from modbox.ui.learn_app import LearnApp

    catalog = load_catalog(Path(folder).expanduser() if folder else None)
    app = LearnApp(catalog, ProgressStore(), getattr(args, "lesson_id", None), sandbox_factory=sandbox_factory)
    app.run()
    return app.return_code or 0
