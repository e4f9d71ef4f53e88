"""The sandbox client, in the app's process: the app's side of the engine. It never imports torch.

``Sandbox`` is what callers use; one supervisor thread (``supervisor``) owns the zygote
(``zygote_process``) and every pipe, reads the run's streams (``framing``) and answers each run with
its Report (``reporting``). ``run()`` from any thread hands it a request and waits; the newest
request wins, and the run it replaces gets ``Superseded``.

    >>> with Sandbox() as sb:                              # doctest: +SKIP
    ...     report = sb.run("print('hi')")
    >>> report.ok, report.stdout                           # doctest: +SKIP
    (True, 'hi\\n')
"""

from __future__ import annotations

import atexit
import dataclasses
import itertools
import weakref
from typing import Callable

from modbox.report import Report
from modbox.sandbox.host import tiers
from modbox.sandbox.host.api import Progress, Superseded
from modbox.sandbox.limits import Limits
from modbox.sandbox.host.runs import Run
from modbox.sandbox.host.supervisor import Supervisor

__all__ = ["Progress", "Sandbox", "Superseded"]


class Sandbox:
    """Runs learner code out of process: warm, limited, isolated. See the module docstring."""

    def __init__(self, tier: str | None = None, limits: Limits | None = None):
        choice = tiers.choose(tier)
        self.tier_reasons: dict[str, str] = choice.reasons
        self.limits = (limits or Limits()).checked()
        self._ids = itertools.count(1)
        self._supervisor = Supervisor(choice.tier)

    @property
    def tier(self) -> str:
        return self._supervisor.tier

    @property
    def ready(self) -> bool:
        return self._supervisor.ready.is_set()

    @property
    def restarts(self) -> int:
        """How often a zygote that was ready died and was started again."""
        return self._supervisor.restarts

    @property
    def zygote_pid(self) -> int | None:
        """The host pid of the zygote (bwrap's, in that tier)."""
        return self._supervisor.zygote.pid

    @property
    def last_start_ms(self) -> float | None:
        """How long the last zygote start took."""
        return self._supervisor.zygote.last_start_ms

    def start(self) -> None:
        """Start the zygote in the background (returns at once)."""
        self._supervisor.start()
        _open_sandboxes.add(self)

    def wait_ready(self, timeout: float | None = None) -> bool:
        self.start()
        return self._supervisor.ready.wait(timeout)

    def run(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        """Run ``source`` and return its Report. Raises Superseded if a newer run replaced it.

        ``evaluate``: Python expressions to evaluate in the program's final namespace once it
        ran to the end (``torch`` and ``nn`` are importable there); each answer is a
        ``Value`` in ``Report.values``. None are evaluated when the program failed.
        """
        run = self._submit(source, filename, timeout, limits, on_progress, None, evaluate)
        run.done.wait()
        if run.exc is not None:
            raise run.exc
        return run.report

    async def run_async(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        """Like run(); on_progress is called on the event loop's thread."""
        import asyncio  # here, not at the top: the app starts the sandbox before it needs asyncio

        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def settle(run: Run) -> None:
            if not future.done():
                if run.exc is not None:
                    future.set_exception(run.exc)
                else:
                    future.set_result(run.report)

        def done(run: Run) -> None:
            _call_soon(loop, settle, run)

        progress = None
        if on_progress is not None:
            progress = lambda p: _call_soon(loop, on_progress, p)  # noqa: E731
        run = self._submit(source, filename, timeout, limits, progress, done, evaluate)
        try:
            return await future
        except asyncio.CancelledError:
            self._supervisor.cancel(run.id)
            raise

    def cancel(self) -> None:
        """Kill the run in flight; its caller gets Superseded."""
        self._supervisor.cancel(0)

    def close(self) -> None:
        """Kill the run and the zygote; nothing of this Sandbox is left running afterwards."""
        self._supervisor.close()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _submit(self, source, filename, timeout, limits, on_progress, on_done, evaluate) -> Run:
        if not isinstance(source, str):
            raise TypeError("source must be a str")
        if isinstance(evaluate, str) or not all(isinstance(e, str) for e in evaluate):
            raise TypeError("evaluate must be a list of expressions (str)")
        chosen = dataclasses.replace(limits or self.limits)
        if timeout is not None:
            chosen.wall = timeout
        run = Run(next(self._ids), source, filename, chosen.checked(), on_progress, on_done,
                  tuple(evaluate))
        self.start()
        self._supervisor.submit(run)
        return run


_open_sandboxes: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _close_open_sandboxes() -> None:
    """An app that forgot close() still leaves no zygote, run or scratch folder behind."""
    for sb in list(_open_sandboxes):
        sb.close()


def _call_soon(loop, fn, arg) -> None:
    try:
        loop.call_soon_threadsafe(fn, arg)
    except RuntimeError:
        pass  # the loop is closed: nobody is waiting any more
