"""Per-run scratch folders: made by the client in the app's process, handed to the run as its working directory,
removed after the run. Folders are named after the client's pid, so a client can tell the
leftovers of a dead client (removed at start-up) from those of a live one (left alone).
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import tempfile
from pathlib import Path

_counter = itertools.count()


def base_dir() -> Path:
    base = Path(tempfile.gettempdir()) / f"modbox-runs-{os.getuid()}"
    base.mkdir(mode=0o755, exist_ok=True)
    info = base.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RuntimeError(f"{base} is not a folder owned by you: remove it and try again")
    return base


def make(owner: tuple[int, int] | None) -> Path:
    """A fresh empty folder for one run, owned by ``owner`` (uid, gid) when given."""
    path = base_dir() / f"run-{os.getpid()}-{next(_counter)}"
    path.mkdir(mode=0o700)
    if owner is not None:
        os.chown(path, *owner)
    return path


def remove(path: Path) -> None:
    def unlock(func, p, _exc):
        # The learner may have made a folder read-only: give it back its write bit and retry.
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
        except OSError:
            pass
        func(p)

    try:
        shutil.rmtree(path, onerror=unlock)
    except FileNotFoundError:
        pass


def remove_stale() -> int:
    """Remove the scratch folders of clients that are no longer running. Returns how many."""
    removed = 0
    for entry in base_dir().iterdir():
        parts = entry.name.split("-")
        if len(parts) != 3 or parts[0] != "run" or not parts[1].isdigit():
            continue
        if not _alive(int(parts[1])):
            remove(entry)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
