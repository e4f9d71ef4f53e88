"""A stand-in for ``modbox.sandbox.Sandbox`` that answers with prepared Reports.

It satisfies ``modbox.sandbox.host.api.SandboxConnection``, the interface the UI uses, so tests,
benchmarks and screenshots can drive the real app deterministically and without torch.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Callable

from modbox.report import Report
from modbox.sandbox.host.api import Progress, Superseded

if TYPE_CHECKING:
    from modbox.sandbox.limits import Limits


class ScriptedSandbox:
    """Replays ``respond(source)`` as the result of every run.

    ``delay`` seconds pass before a run answers; ``ready_after`` seconds pass between ``start()``
    and ``ready``; ``progress_batches`` splits the report's events over that many progress
    callbacks, the way the real sandbox streams them.

    Nothing polls: a run waits on an event that the sandbox becoming ready, a newer run or
    ``cancel()`` sets, from whichever thread or event loop they happen on, so that a replaced
    run ends with ``Superseded`` at once, as in the real sandbox.
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
        self._lock = threading.Lock()
        self._started = False
        self._ready = threading.Event()
        self._generation = 0
        # each run waiting for a change: its event loop and the future that wakes it
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def become_ready(self) -> None:
        """End the start-up now (for a sandbox made with ``ready_after=float("inf")``)."""
        self.ready_after = 0.0
        if self._started:
            self._set_ready()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        if self.ready_after <= 0:
            self._set_ready()
        elif self.ready_after != float("inf"):
            timer = threading.Timer(self.ready_after, self._set_ready)
            timer.daemon = True
            timer.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        if not self._started:
            self.start()
        return self._ready.wait(timeout)

    async def run_async(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        mine = self._supersede()
        self.runs.append(
            {"source": source, "filename": filename, "timeout": timeout, "limits": limits,
             "evaluate": list(evaluate)}
        )
        if not self._started:
            self.start()
        t0 = time.monotonic()
        while not self.ready:
            await self._changed(mine, None, done=lambda: self.ready)
        report = self.respond(source)
        if self.progress_batches and on_progress is not None and report.events:
            n = len(report.events)
            step = max(1, -(-n // self.progress_batches))
            for i in range(0, n, step):
                await self._pause(mine, max(self.delay / self.progress_batches, 0.01))
                on_progress(
                    Progress(
                        events=report.events[i : i + step],
                        stdout=report.stdout if i == 0 else "",
                        stderr=report.stderr if i == 0 else "",
                        elapsed_ms=(time.monotonic() - t0) * 1000,
                    )
                )
        else:
            await self._pause(mine, self.delay)
        self._check(mine)
        if not report.sandbox:
            report.sandbox = self.tier
        return report

    def run(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        return asyncio.run(self.run_async(source, filename, timeout, limits, evaluate=evaluate))

    def cancel(self) -> None:
        self._supersede()

    def close(self) -> None:
        self._supersede()

    def _supersede(self) -> int:
        """End the run in flight (it raises Superseded); the new generation's number."""
        with self._lock:
            self._generation += 1
            mine = self._generation
        self._wake()
        return mine

    def _set_ready(self) -> None:
        self._ready.set()
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, set()
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, future)
            except RuntimeError:
                pass  # that loop has closed: nobody waits there any more

    async def _changed(self, mine: int, timeout: float | None, done=lambda: False) -> None:
        """Wait until ``done()``, or a change (the sandbox becomes ready, a newer run replaces this
        one), or ``timeout`` seconds; raises Superseded when this run was replaced."""
        loop = asyncio.get_running_loop()
        waiter = (loop, loop.create_future())
        with self._lock:
            self._waiters.add(waiter)  # before looking: a change from now on wakes this waiter
        try:
            self._check(mine)
            if not done():
                await asyncio.wait_for(waiter[1], timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(waiter)
        self._check(mine)

    async def _pause(self, mine: int, seconds: float) -> None:
        """Take ``seconds``, the way a run takes time, ending early when a newer run replaces it."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await self._changed(mine, left)
        self._check(mine)

    def _check(self, mine: int) -> None:
        if mine != self._generation:
            raise Superseded()


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
