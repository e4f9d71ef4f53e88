"""Autosave: every buffer is written to the user data folder at most ~0.5 s after it changes.

A draft is keyed by the absolute path of the file it belongs to ("scratch" for an unnamed buffer)
and removed when the file is saved. If modbox is killed, the next launch finds the draft and
offers the text back.

Several windows may have the same file open (two terminals, two browser tabs). The draft on disk
is the newest text any of them wrote, and it names its window (process id and start time):
a window removes the draft only while it is its own (under the draft's lock, so that another
window's newer draft is never removed by a save), and a window that starts does not offer the
draft of a window that is still running, whose text is not lost but still being typed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from modbox.storage import Unreadable, atomic_write_text, data_dir, locked, put_aside, read_kept_file

INTERVAL = 0.5  # seconds: the most typing a crash can lose, plus the write itself


@dataclass
class Draft:
    file: str | None  # the file it belongs to, None for the scratch buffer
    text: str
    saved_at: float
    window: str | None = None  # "pid:start time" of the window that wrote it


def _process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), or None when there is none: with
    the pid, it names one process, even after the pid is used again."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def this_window() -> str:
    return f"{os.getpid()}:{_process_started(os.getpid())}"


def _running_elsewhere(window: str | None) -> bool:
    """Whether ``window`` is another modbox process that is still running."""
    if not window or window == this_window():
        return False
    pid, _, started = window.partition(":")
    return pid.isdigit() and started != "None" and _process_started(int(pid)) == started


def draft_path(file: Path | None, undecided: bool = False) -> Path:
    """Where ``file``'s draft is autosaved; ``undecided``: where a draft waits that the learner
    closed the "Restore it?" question on without choosing (autosave must not write over it)."""
    if file is None:
        key = "scratch"
    else:
        key = hashlib.sha256(str(Path(file).resolve()).encode()).hexdigest()[:16]
    return data_dir() / "drafts" / (f"{key}.undecided.json" if undecided else f"{key}.json")


def keep_undecided(file: Path | None) -> None:
    """Move ``file``'s draft out of autosave's way until the learner decides on it."""
    path = draft_path(file)
    with locked(path):
        if path.exists():
            os.replace(path, draft_path(file, undecided=True))


def keep_copy(file: Path, text: str) -> Path:
    """Keep ``text`` (a version of ``file`` the learner chose not to use) in the data folder, under
    a name that says what and when; returns where."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = data_dir() / "kept" / f"{Path(file).stem}-{stamp}{Path(file).suffix}"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{Path(file).stem}-{stamp}-{n}{Path(file).suffix}")
    atomic_write_text(path, text)
    return path


def remove_draft(file: Path | None, undecided: bool) -> None:
    try:
        draft_path(file, undecided).unlink()
    except FileNotFoundError:
        pass


class DraftUnreadable(Exception):
    """The draft's file is damaged or cannot be read; it was renamed aside (``kept``; None when
    that failed too) so the next autosave cannot write over it. ``str(exc)`` says so."""

    def __init__(self, message: str, kept: Path | None):
        super().__init__(message)
        self.kept = kept


def _read(file: Path | None, undecided: bool = False) -> Draft | None:
    """The draft kept for ``file``, or None when there is none (or it cannot be opened).

    Raises DraftUnreadable when there is one that cannot be read, after putting it aside."""
    path = draft_path(file, undecided)
    name = Path(file).name if file else "the scratch buffer"
    try:
        raw = read_kept_file(path)
    except Unreadable as exc:
        raise DraftUnreadable(exc.says(f"The unsaved text kept for {name}",
                                       "autosave starts a new one"), exc.kept) from None
    except OSError:  # the data folder cannot be used: there is no draft to offer
        return None
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        text = data["text"]
        if not isinstance(text, str):
            raise TypeError("the text is not text")
        return Draft(file=data.get("file"), text=text, saved_at=float(data.get("saved_at", 0)),
                     window=data.get("window"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        why = "bytes that are not text" if isinstance(exc, UnicodeDecodeError) else "it is damaged"
        try:
            kept = put_aside(path, "corrupt")
        except OSError:
            kept = path
        raise DraftUnreadable(
            f"The unsaved text kept for {name} could not be read ({why}). It was kept as {kept}: "
            "open it in a text editor to copy out what you need.", kept) from None


def load_draft(file: Path | None, undecided: bool = False) -> Draft | None:
    """The draft left for ``file`` by a window that is gone, or None when there is none (or it
    cannot be opened).

    Raises DraftUnreadable when there is one that cannot be read, after putting it aside."""
    draft = _read(file, undecided)
    return None if draft is None or _running_elsewhere(draft.window) else draft


class DraftWriter:
    """Writes drafts of one buffer; safe to call from worker threads, newest text always wins."""

    def __init__(self, file: Path | None):
        self.file = file
        self.window = this_window()
        self._lock = threading.Lock()
        self._written = 0
        self.last_error: str = ""  # why the last write failed; "" once one gets through

    @property
    def written(self) -> int:
        """The newest version on disk."""
        return self._written

    def write(self, text: str, version: int) -> None:
        with self._lock:
            if version <= self._written:
                return
            payload = {
                "file": str(Path(self.file).resolve()) if self.file else None,
                "text": text,
                "saved_at": time.time(),
                "window": self.window,
            }
            path = draft_path(self.file)
            try:
                with locked(path):
                    atomic_write_text(path, json.dumps(payload))
                self._written = version
                self.last_error = ""
            except OSError as exc:
                self.last_error = f"autosave failed: {exc.strerror or exc}"

    def discard(self) -> None:
        """Remove the draft unless it is a newer one of another window that is still running."""
        with self._lock:
            path = draft_path(self.file)
            try:
                with locked(path):
                    draft = _read(self.file)
                    if draft is None or not _running_elsewhere(draft.window):
                        path.unlink()
            except (FileNotFoundError, DraftUnreadable):  # a damaged one is already put aside
                pass
            except OSError as exc:
                self.last_error = f"could not remove the draft: {exc.strerror or exc}"
