"""How the app's process reads a run's pipes: output streams kept up to a cap, the result channel split into
JSON lines, and events built from those lines.

The run child writes stdout and stderr on two pipes and its result channel (event batches, then
one result) as JSON lines on a third. Learner code can write anything on any of them, so every
reader here caps what it keeps and skips what is not ours.
"""

from __future__ import annotations

import codecs
import dataclasses
import fcntl
import os

from modbox.report import Event

RESULT_CAP = 256 << 20  # bytes on the result channel per run
LINE_CAP = 64 << 20
PIPE_BYTES = 1 << 20
_EVENT_FIELDS = {f.name for f in dataclasses.fields(Event)}


class OutputStream:
    """One output stream: keeps the first ``shown`` bytes, counts the rest."""

    def __init__(self, shown: int):
        self.kept = bytearray()
        self.total = 0
        self.shown = shown
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._new: list[str] = []

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.shown - len(self.kept)
        if room > 0:
            part = data[:room]
            self.kept += part
            self._new.append(self._decoder.decode(part))

    def take_new(self) -> str:
        text, self._new = "".join(self._new), []
        return text

    def text(self) -> str:
        return self.kept.decode("utf-8", "replace")

    @property
    def dropped(self) -> int:
        return self.total - len(self.kept)


class ResultLines:
    """Splits the result channel into lines: at most RESULT_CAP bytes a run, and a line longer
    than LINE_CAP (not one of ours) is skipped to its end."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []  # an unfinished line
        self._pending = 0
        self._total = 0
        self._skipping = False

    def feed(self, data: bytes) -> list[bytes]:
        """The lines that ``data`` completes, without their newlines; empty lines left out."""
        self._total += len(data)
        if self._total > RESULT_CAP:
            return []
        lines = data.split(b"\n")
        if len(lines) == 1:
            self._parts.append(data)
            self._pending += len(data)
            if self._pending > LINE_CAP:
                self._parts, self._pending, self._skipping = [], 0, True
            return []
        if self._skipping:
            lines[0] = b""
        elif self._parts:
            lines[0] = b"".join(self._parts) + lines[0]
        tail = lines.pop()
        self._parts, self._pending, self._skipping = [tail] if tail else [], len(tail), False
        return [line for line in lines if line]

    def rest(self) -> bytes | None:
        """The last line when the channel closed without its newline."""
        if self._parts and not self._skipping:
            return b"".join(self._parts)
        return None


def parse_event(item) -> Event | None:
    """An Event from the child's JSON: Report.from_dict's result for these flat records, built
    without calling __init__ (events arrive by the hundred thousand per second)."""
    if type(item) is not dict:
        return None
    if "class" in item:
        item["cls"] = item.pop("class")
    if not item.keys() <= _EVENT_FIELDS:
        item = {k: v for k, v in item.items() if k in _EVENT_FIELDS}  # from a newer producer
    if type(item.get("seq")) is not int or type(item.get("kind")) is not str:
        return None
    fields = _EVENT_DEFAULTS.copy()
    fields["inputs"], fields["outputs"], fields["detail"] = [], [], {}
    fields.update(item)
    event = _new(Event)
    event.__dict__ = fields
    return event


_new = object.__new__
_EVENT_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(Event) if f.default is not dataclasses.MISSING
}


def grow_pipe(fd: int) -> None:
    """Room for many event batches in the pipe, so that the child keeps producing while the
    client parses (with the default 64 KiB, one batch fills it and the two take turns)."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        pass  # above /proc/sys/fs/pipe-max-size for this user: the default works, slower


def drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except (BlockingIOError, OSError):
        pass
