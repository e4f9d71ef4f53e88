"""Autosave: every buffer is written to the user data folder at most ~0.5 s after it changes.

A draft is keyed by the absolute path of the file it belongs to ("scratch" for an unnamed buffer)
and removed when the file is saved. If modbox is killed, the next launch finds the draft and
offers the text back.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from modbox.storage import atomic_write_text, data_dir

INTERVAL = 0.5  # seconds: the most typing a crash can lose, plus the write itself


@dataclass
class Draft:
    file: str | None  # the file it belongs to, None for the scratch buffer
    text: str
    saved_at: float


def draft_path(file: Path | None) -> Path:
    if file is None:
        key = "scratch"
    else:
        key = hashlib.sha256(str(Path(file).resolve()).encode()).hexdigest()[:16]
    return data_dir() / "drafts" / f"{key}.json"


def load_draft(file: Path | None) -> Draft | None:
    """The draft left for ``file``, or None (also when it is unreadable: a draft is a bonus)."""
    try:
        data = json.loads(draft_path(file).read_text(encoding="utf-8"))
        return Draft(file=data.get("file"), text=data["text"], saved_at=float(data.get("saved_at", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class DraftWriter:
    """Writes drafts of one buffer; safe to call from worker threads, newest text always wins."""

    def __init__(self, file: Path | None):
        self.file = file
        self._lock = threading.Lock()
        self._written = 0
        self.last_error: str = ""

    def write(self, text: str, version: int) -> None:
        with self._lock:
            if version <= self._written:
                return
            payload = {
                "file": str(Path(self.file).resolve()) if self.file else None,
                "text": text,
                "saved_at": time.time(),
            }
            try:
                atomic_write_text(draft_path(self.file), json.dumps(payload))
                self._written = version
                self.last_error = ""
            except OSError as exc:
                self.last_error = f"autosave failed: {exc.strerror or exc}"

    def discard(self) -> None:
        with self._lock:
            try:
                draft_path(self.file).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                self.last_error = f"could not remove the draft: {exc.strerror or exc}"
