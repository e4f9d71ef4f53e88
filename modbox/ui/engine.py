"""The UI's handle on the sandbox: runs asked for while the worker starts wait for it, in order.

``modbox play`` and ``modbox learn`` start the sandbox before Textual is imported
(``modbox.ui.launch``), so the worker imports torch while the app draws its first frame. The
app hands the Engine a factory that returns that sandbox; tests hand in one for a stand-in with
the same interface (``modbox.testing.scripted_sandbox.ScriptedSandbox``).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import TYPE_CHECKING, Callable

from modbox.report import Report
from modbox.sandbox.host.api import Progress, SandboxConnection, Superseded

if TYPE_CHECKING:
    from modbox.sandbox.limits import Limits


def _default_sandbox() -> SandboxConnection:
    from modbox.sandbox import Sandbox

    return Sandbox()


class Engine:
    """Takes the sandbox over once the first frame is on screen; ``run`` waits for it, then runs.

    ``start`` is called from ``App.on_ready`` (the first frame is on screen): calling the factory
    and ``start()`` happens in a thread, so that a sandbox built there (tests, a bare
    ``ModboxApp()``) never takes the CPU and the GIL the first frame needs.

    A run asked for before the sandbox exists is queued: the moment it exists, the newest queued
    run is handed to it (and the older ones end with ``Superseded``, as the sandbox would end
    them). The sandbox itself keeps a run it was handed until its worker is ready.

    ``state`` is "idle" before ``start``, then "starting", "ready", or "failed" (with ``failure``
    saying why, in words a learner can act on). ``subscribe(listener)``: ``listener()`` is called
    on the app's event loop each time it changes, so the status line never has to poll it.
    """

    def __init__(self, factory: Callable[[], SandboxConnection] | None = None):
        self._factory = factory or _default_sandbox
        self.sandbox: SandboxConnection | None = None
        self.failure = ""
        self._created = asyncio.Event()  # set on the app's event loop once sandbox or failure is
        self._asked = 0  # runs asked for so far: a queued run runs only if it is still the newest
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[], None]] = []
        self._closed = threading.Event()

    def start(self) -> None:
        """Create and start the sandbox in a thread. Call it on the app's event loop."""
        if self._thread is None:
            self._loop = asyncio.get_running_loop()
            # Callbacks from the thread run in the caller's context: Textual keeps the active app
            # in a context variable, and a timer started without it fails when the app closes.
            self._context = contextvars.copy_context()
            self._thread = threading.Thread(target=self._create, name="modbox-engine", daemon=True)
            self._thread.start()
            self._changed()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _create(self) -> None:
        try:
            sandbox = self._factory()
            sandbox.start()
            self.sandbox = sandbox
        except Exception as exc:  # an unusable sandbox must not take the editor down with it
            self.failure = f"the sandbox could not start ({type(exc).__name__}: {exc}); try `modbox doctor`"
        finally:
            self._on_loop(self._on_created)
        if self.sandbox is not None:
            # bounded waits, so that a worker that never gets ready does not outlive the app
            while not self._closed.is_set():
                if self.sandbox.wait_ready(1.0):
                    self._on_loop(self._changed)
                    break

    def _on_created(self) -> None:
        self._created.set()
        self._changed()

    def _on_loop(self, callback: Callable[[], None]) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, context=self._context)
        except RuntimeError:
            pass  # the app has already quit: nobody waits

    @property
    def state(self) -> str:
        if self._thread is None:
            return "idle"
        if self.failure:
            return "failed"
        if self.sandbox is None:
            return "starting"
        return "ready" if self.sandbox.ready else "starting"

    @property
    def tier(self) -> str:
        return getattr(self.sandbox, "tier", "") or ""

    async def run(
        self,
        source: str,
        *,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        """The sandbox's Report; raises Superseded when a newer run replaced this one (here, while
        the worker started, or in the sandbox), or what the sandbox raises when it failed.
        ``evaluate``: expressions answered in ``Report.values`` (a lesson's checks ask them)."""
        self._asked += 1
        mine = self._asked
        await self._created.wait()  # returns at once when the sandbox exists
        if mine != self._asked:
            raise Superseded("a newer run was asked for while the worker started")
        if self.sandbox is None:
            raise RuntimeError(self.failure)
        return await self.sandbox.run_async(
            source, filename=filename, timeout=timeout, limits=limits, on_progress=on_progress,
            evaluate=evaluate,
        )

    def close(self) -> None:
        self._closed.set()
        if self.sandbox is not None:
            self.sandbox.close()
