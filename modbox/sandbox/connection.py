"""What a caller of the sandbox gets back besides a Report: streamed Progress, and Superseded."""

from __future__ import annotations

from dataclasses import dataclass

from modbox.report import Event


class Superseded(Exception):
    """The run was killed because a newer run replaced it, or it was cancelled."""


@dataclass
class Progress:
    """What a run produced since the last Progress (streamed while it is going)."""

    events: list[Event]
    stdout: str
    stderr: str
    elapsed_ms: float
