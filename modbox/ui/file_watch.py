"""Noticing when another program (the learner's own editor) writes a file modbox has open.

Polling, on the app's event loop: a ``stat`` every ``INTERVAL`` seconds costs microseconds, works
on every filesystem (network mounts and containers included, where file events often do not
arrive), and is well inside the half second the learner waits for a rerun after saving in their
editor. An editor's save is often several writes (truncate, write, rename): the file counts as
changed once its size and modification time have held still for one interval.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from textual.dom import DOMNode

INTERVAL = 0.15  # seconds between looks


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # gone for now (an editor's rename in progress): look again next time
    return st.st_mtime_ns, st.st_size


class FileWatch:
    """Calls ``changed()`` on ``owner``'s event loop when ``path`` was written by someone else.

    ``seen()`` after modbox itself wrote the file, so that its own saves are not reported."""

    def __init__(self, owner: DOMNode, path: Path, changed: Callable[[], None]):
        self.path = Path(path)
        self._changed = changed
        self._known = _stamp(self.path)
        self._pending: tuple[int, int] | None = None
        self._timer = owner.set_interval(INTERVAL, self._look)

    def seen(self) -> None:
        self._known = self._pending = _stamp(self.path)

    def stop(self) -> None:
        self._timer.stop()

    def _look(self) -> None:
        now = _stamp(self.path)
        if now is None or now == self._known:
            self._pending = None
            return
        if now != self._pending:  # still being written: wait until it holds still
            self._pending = now
            return
        self._known, self._pending = now, None
        self._changed()
