"""One run as the client (in the app's process) sees it: what was asked, and what has come back so far."""

from __future__ import annotations

import gc
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from modbox.report import Event, Report
from modbox.sandbox.host.api import Progress
from modbox.sandbox.host.framing import OutputStream, ResultLines, parse_event
from modbox.sandbox.limits import Limits


@dataclass(eq=False)
class Run:
    id: int
    source: str
    filename: str
    limits: Limits
    on_progress: Callable[[Progress], None] | None
    on_done: Callable[[Run], None] | None
    evaluate: tuple[str, ...] = ()  # expressions answered in the final namespace (Report.values)
    submitted: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    report: Report | None = None
    exc: BaseException | None = None
    # Owned by the supervisor thread once sent:
    scratch: Path | None = None
    fds: dict[int, str] = field(default_factory=dict)
    out: OutputStream | None = None
    err: OutputStream | None = None
    lines: ResultLines = field(default_factory=ResultLines)
    events: list[Event] = field(default_factory=list)
    new_events: list[Event] = field(default_factory=list)
    events_received: int = 0
    result: dict | None = None
    exit: dict | None = None
    pid: int | None = None  # set when the zygote says it started the run
    resent: bool = False
    sent_at: float = 0.0
    started_at: float | None = None  # the wall clock runs from here: a busy zygote costs no time
    stopped: str | None = None  # timeout, output_limit, zygote_died
    kill_at: float | None = None
    killed_at: float | None = None
    exit_at: float | None = None
    last_progress: float = 0.0

    def request(self) -> dict:
        """The fields of the zygote's "run" message that come from what the caller asked."""
        return {
            "id": self.id,
            "filename": self.filename,
            "scratch": str(self.scratch),
            "limits": self.limits.for_child(),
            "wall": self.limits.wall,
            "evaluate": list(self.evaluate),
        }

    def take_result_bytes(self, data: bytes) -> None:
        for line in self.lines.feed(data):
            self.take_result_line(line)

    def take_result_line(self, line: bytes) -> None:
        # A batch is a thousand small dicts and Events: let the cyclic garbage collector wait
        # until it is built. Otherwise collections over the run's growing event list cost more
        # than the parsing (300k events: 10 s instead of 1).
        enabled = gc.isenabled()
        gc.disable()
        try:
            msg = json.loads(line)
            if isinstance(msg, dict):
                self._take_message(msg)
        except ValueError:
            pass  # learner code wrote junk on fd 3: ignore it, the real result still comes
        finally:
            if enabled:
                gc.enable()

    def _take_message(self, msg: dict) -> None:
        kind = msg.get("t")
        if kind == "ev":
            items = msg.get("items")
            if not isinstance(items, list):
                return
            room = self.limits.max_events - len(self.events)
            self.events_received += len(items)
            events = [e for e in map(parse_event, items[: max(room, 0)]) if e is not None]
            self.events += events
            self.new_events += events
        elif kind in ("result", "sandbox_error"):
            self.result = msg


def complete(run: Run, report: Report | None = None, exc: BaseException | None = None) -> None:
    """Answer the run's caller: with a report, or with an exception."""
    run.report, run.exc = report, exc
    run.done.set()
    if run.on_done is not None:
        run.on_done(run)
