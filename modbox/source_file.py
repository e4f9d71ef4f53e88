"""Reading and writing the learner's file, for the app and for ``modbox inspect``: odd files get a
clear message or just work, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modbox.storage import NotText, atomic_write_text, decode_text

MAX_BYTES = 1024 * 1024
BOM = "\ufeff"


class UnreadableFile(Exception):
    """The file cannot be edited here; ``str(exc)`` says why and what to try."""


@dataclass
class SourceFile:
    path: Path
    text: str  # always with "\n" line endings and no byte-order mark
    newline: str = "\n"  # what the file on disk uses; saving writes it back the same way
    bom: bool = False
    note: str = ""  # something the learner should know about how the file was read


def read_source(path: Path) -> SourceFile:
    path = Path(path)
    try:
        if path.is_dir():
            raise UnreadableFile(f"{path} is not a file but a folder: choose a .py file inside it.")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableFile(
                f"{path.name} is {size / 1024 / 1024:.1f} MiB: too big for modbox "
                f"(it reads files up to {MAX_BYTES // 1024 // 1024} MiB)."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file. Check the path and try again.") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}.") from None
    if b"\x00" in data:
        raise UnreadableFile(f"{path.name} looks like a binary file, not Python source: give a .py file.")
    try:
        text = decode_text(path, data)
    except NotText as exc:
        raise UnreadableFile(f"{path.name}, {exc}, and open it again.") from None
    notes = []
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
        notes.append("it starts with a byte-order mark, kept on save")
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
        notes.append("it uses Windows line endings (CRLF), kept on save")
    text = text.replace("\r", "\n")
    note = f"{path.name}: {'; '.join(notes)}." if notes else ""
    return SourceFile(path=path, text=text, newline=newline, bom=bom, note=note)


def write_source(file: SourceFile, text: str) -> None:
    """Save ``text`` in the file's own line endings. Raises OSError (read-only, disk full, ...)."""
    body = text.replace("\n", file.newline) if file.newline != "\n" else text
    atomic_write_text(file.path, (BOM if file.bom else "") + body)
    file.text = text
