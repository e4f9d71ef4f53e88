"""Runs in the app's process. What the app holds of a sandbox: the SandboxConnection protocol,
streamed Progress, and Superseded. ``modbox.sandbox.Sandbox`` and the scripted stand-in of the
tests (``modbox.testing.scripted_sandbox.ScriptedSandbox``) both satisfy it, so the UI works with
either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from modbox.report import Event, Report

if TYPE_CHECKING:
    from modbox.sandbox.limits import Limits


class Superseded(Exception):
    """The run was killed because a newer run replaced it, or it was cancelled."""


@dataclass
class Progress:
    """What a run produced since the last Progress (streamed while it is going)."""

    events: list[Event]
    stdout: str
    stderr: str
    elapsed_ms: float


class SandboxConnection(Protocol):
    """A sandbox as the UI uses it: started once, then asked for runs; the newest run wins."""

    @property
    def tier(self) -> str:
        """The isolation tier runs go to: "bwrap", "landlock" or "plain"."""

    @property
    def tier_reasons(self) -> dict[str, str]:
        """Why each other tier was not chosen."""

    @property
    def restarts(self) -> int:
        """How often the worker died and was started again."""

    @property
    def ready(self) -> bool:
        """Whether a run would start now, without waiting for the worker."""

    def start(self) -> None:
        """Start the worker in the background (returns at once)."""

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Start the worker and wait until it is ready; False when ``timeout`` ran out."""

    async def run_async(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], Any] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        """Run ``source``; raises Superseded when a newer run or ``cancel()`` replaced it.
        ``evaluate``: expressions answered in ``Report.values`` once the program ran to the end."""

    def cancel(self) -> None:
        """End the run in flight; its caller gets Superseded."""

    def close(self) -> None:
        """End the run in flight and the worker."""
