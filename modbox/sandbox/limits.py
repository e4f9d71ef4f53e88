"""What a run may use. Every field can be changed by the caller and, later, by a lesson.

Part of the public API (``modbox.sandbox.Limits``): the app's process builds it and sends it over
the wire as a plain dict, which the run child applies (child/run_child.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class Limits:
    wall: float = 10.0  # seconds; SIGINT first (the learner sees where), SIGKILL after a grace
    cpu: float | None = None  # seconds of CPU time; None = derived from wall
    memory_mb: int = 2048  # budget above what the child already uses after importing torch
    file_mb: int = 16  # largest file the run may write
    open_files: int = 256
    output_shown: int = 65536  # bytes kept per stream
    output_kill: int = 8 << 20  # bytes printed (both streams) after which the run is killed
    max_events: int = 200_000
    processes: int = 64  # only where enforceable (inside a user namespace)

    def cpu_seconds(self) -> float:
        return self.cpu if self.cpu is not None else self.wall + 1

    def checked(self) -> Limits:
        """A copy, or ValueError naming the first value that makes no sense."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "cpu":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"limit {f.name} must be a positive number, not {value!r}")
        return dataclasses.replace(self)

    def for_child(self) -> dict:
        return {
            "cpu": self.cpu_seconds(),
            "memory_mb": self.memory_mb,
            "file_mb": self.file_mb,
            "open_files": self.open_files,
            "max_events": self.max_events,
            "processes": self.processes,
        }
