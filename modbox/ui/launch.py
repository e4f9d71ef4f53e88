"""Entry points the command line calls: ``modbox play [FILE]`` and ``modbox learn [ID]``."""

from __future__ import annotations


def play(args) -> int:
    from modbox.ui.app import ModboxApp

    app = ModboxApp(file=getattr(args, "file", None))
    app.run()
    return app.return_code or 0


def learn(args) -> int:
    """``modbox`` and ``modbox learn [ID] [--lessons DIR]``: the lesson menu, or one lesson."""
    import sys
    from pathlib import Path

    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import ProgressStore
    from modbox.ui.learn_app import LearnApp

    folder = getattr(args, "lessons", None)
    if folder is not None and not Path(folder).expanduser().is_dir():
        print(f"modbox: the lesson folder {folder} does not exist (or is not a folder). "
              "Give --lessons a folder that holds lesson folders, or leave it out for the "
              "built-in lessons.", file=sys.stderr)
        return 2
    catalog = load_catalog(Path(folder).expanduser() if folder else None)
    app = LearnApp(catalog, ProgressStore(), getattr(args, "lesson_id", None))
    app.run()
    return app.return_code or 0
