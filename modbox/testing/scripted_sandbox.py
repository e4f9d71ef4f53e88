"""A stand-in for ``modbox.sandbox.Sandbox`` that answers with prepared Reports.

It satisfies ``modbox.sandbox.host.api.SandboxConnection``, the interface the UI uses, so tests,
benchmarks and screenshots can drive the real app deterministically and without torch.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from modbox.report import Report
from modbox.sandbox.host.api import Progress, Superseded


class ScriptedSandbox:
    """Replays ``respond(source)`` as the result of every run.

    ``delay`` seconds pass before a run answers; ``ready_after`` seconds pass between ``start()``
    and ``ready``; ``progress_batches`` splits the report's events over that many progress
    callbacks, the way the real sandbox streams them.
    """

    def __init__(
        self,
        respond: Callable[[str], Report],
        *,
        tier: str = "bwrap",
        delay: float = 0.0,
        ready_after: float = 0.0,
        progress_batches: int = 0,
    ):
        self.respond = respond
        self.tier = tier
        self.tier_reasons: dict[str, str] = {}
        self.restarts = 0
        self.delay = delay
        self.ready_after = ready_after
        self.progress_batches = progress_batches
        self.runs: list[dict] = []  # what each run was asked to do, for tests
        self._started_at: float | None = None
        self._generation = 0

    @property
    def ready(self) -> bool:
        return (
            self._started_at is not None
            and time.monotonic() - self._started_at >= self.ready_after
        )

    def become_ready(self) -> None:
        """End the start-up now (for a sandbox made with ``ready_after=float("inf")``)."""
        self.ready_after = 0.0

    def start(self) -> None:
        self._started_at = time.monotonic()

    def wait_ready(self, timeout: float | None = None) -> bool:
        if self._started_at is None:
            self.start()
        left = self.ready_after - (time.monotonic() - self._started_at)
        if left > 0:
            time.sleep(left if timeout is None else min(left, timeout))
        return self.ready

    async def run_async(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits=None,
        on_progress: Callable[[Progress], object] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        self._generation += 1
        mine = self._generation
        self.runs.append(
            {"source": source, "filename": filename, "timeout": timeout, "limits": limits,
             "evaluate": list(evaluate)}
        )
        if self._started_at is None:
            self.start()
        t0 = time.monotonic()
        while not self.ready:
            await asyncio.sleep(0.01)
            self._check(mine)
        report = self.respond(source)
        if self.progress_batches and on_progress is not None and report.events:
            n = len(report.events)
            step = max(1, -(-n // self.progress_batches))
            for i in range(0, n, step):
                await asyncio.sleep(max(self.delay / self.progress_batches, 0.01))
                self._check(mine)
                on_progress(
                    Progress(
                        events=report.events[i : i + step],
                        stdout=report.stdout if i == 0 else "",
                        stderr=report.stderr if i == 0 else "",
                        elapsed_ms=(time.monotonic() - t0) * 1000,
                    )
                )
        elif self.delay:
            await asyncio.sleep(self.delay)
        self._check(mine)
        if not report.sandbox:
            report.sandbox = self.tier
        return report

    def run(self, source, filename="main.py", timeout=None, limits=None, evaluate=()) -> Report:
        return asyncio.run(self.run_async(source, filename, timeout, limits, evaluate=evaluate))

    def _check(self, mine: int) -> None:
        if mine != self._generation:
            raise Superseded()

    def cancel(self) -> None:
        self._generation += 1

    def close(self) -> None:
        self._generation += 1
