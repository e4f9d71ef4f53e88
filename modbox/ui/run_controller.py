"""Runs of a Workspace's buffer: one generation per run asked for, the newest one wins.

A run asked for while another is in flight supersedes it (the engine and the sandbox end the old
one); whatever an older run streams or answers after that is dropped here, so a listener only
ever hears about the newest run. Live mode asks for a run once typing has been quiet for
``LIVE_DELAY`` seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from textual.dom import DOMNode
from textual.timer import Timer
from textual.worker import Worker, WorkerError

from modbox.report import Event, Report
from modbox.sandbox.host.api import Progress
from modbox.ui.engine import Engine

if TYPE_CHECKING:
    from modbox.sandbox.limits import Limits

LIVE_DELAY = 0.3  # seconds of quiet typing before a live run
GROUP = "workspace-run"  # the Textual worker group of the runs


class RunListener(Protocol):
    """What a RunController tells about the newest run, on the app's event loop."""

    async def ready(self) -> None:
        """Return once the listener can be told what runs produce; runs wait for it."""

    def run_started(self, live: bool) -> None: ...

    def events_streamed(self, events: list[Event], first: bool) -> None:
        """Events the run produced since the last call (``first``: none came before them)."""

    def output_streamed(self, stdout: str, stderr: str) -> None:
        """All the run has printed so far."""

    def run_finished(self, report: Report, live: bool) -> None: ...

    def run_failed(self, message: str) -> None:
        """The sandbox gave no answer (it failed); the learner's own errors come in a Report."""


class RunController:
    """Asks ``engine`` for runs on behalf of ``node`` (whose workers and timers they use) and
    tells ``listener`` about the newest one. ``streamed``: events streamed by the newest run."""

    def __init__(self, node: DOMNode, engine: Engine, listener: RunListener):
        self.node = node
        self.engine = engine
        self.listener = listener
        self.running = False
        self.streamed = 0
        self._generation = 0
        self._worker: Worker | None = None
        self._live_timer: Timer | None = None
        self._streamed_seq = -1
        self._stdout = self._stderr = ""  # Progress carries only what is new

    def run(self, source: str, *, live: bool, filename: str, timeout: float | None,
            limits: Limits | None, evaluate: list[str]) -> None:
        """Run ``source`` now; a run in flight is superseded, a pending live run dropped."""
        self.cancel_pending()
        self._generation += 1
        generation = self._generation
        self._worker = self.node.run_worker(
            self._run(generation, source, live, filename, timeout, limits, evaluate),
            group=GROUP, exit_on_error=False,
        )

    def after_typing(self, run: Callable[[], None]) -> None:
        """Call ``run`` once typing has been quiet for LIVE_DELAY (each call restarts the wait)."""
        self.cancel_pending()
        self._live_timer = self.node.set_timer(LIVE_DELAY, run)

    def cancel_pending(self) -> None:
        if self._live_timer is not None:
            self._live_timer.stop()
            self._live_timer = None

    async def settled(self) -> None:
        """Return once the newest run has its answer, at once when none is in flight."""
        while (worker := self._worker) is not None and not worker.is_finished:
            try:
                await worker.wait()
            except WorkerError:
                pass  # superseded, or the sandbox failed: the listener was told

    def forget(self) -> None:
        """Cancel the runs asked for so far, queued or in flight: nothing of theirs is told."""
        self._generation += 1
        self.node.workers.cancel_group(self.node, GROUP)
        self.running = False

    async def _run(self, generation: int, source: str, live: bool, filename: str,
                   timeout: float | None, limits: Limits | None, evaluate: list[str]) -> None:
        self.running = True
        self.streamed, self._streamed_seq = 0, -1
        self._stdout = self._stderr = ""
        self.listener.run_started(live)
        await self.listener.ready()
        if generation != self._generation:
            return  # superseded while it waited
        try:
            report = await self.engine.run(
                source, filename=filename, timeout=timeout, limits=limits,
                on_progress=lambda progress: self._progress(generation, progress), evaluate=evaluate,
            )
        except Exception as exc:  # superseded, or the sandbox itself failed
            if generation == self._generation:
                self.running = False
                self.listener.run_failed(str(exc))
            return
        if generation != self._generation:
            return
        self.running = False
        self.listener.run_finished(report, live)

    def _progress(self, generation: int, progress: Progress) -> None:
        if generation != self._generation:
            return
        # a batch can repeat events already streamed: only the ones after the newest seq are new
        fresh = [e for e in progress.events if e.seq > self._streamed_seq]
        if fresh:
            first = self.streamed == 0
            self._streamed_seq = fresh[-1].seq
            self.streamed += len(fresh)
            self.listener.events_streamed(fresh, first)
        if progress.stdout or progress.stderr:
            self._stdout += progress.stdout
            self._stderr += progress.stderr
            self.listener.output_streamed(self._stdout, self._stderr)
