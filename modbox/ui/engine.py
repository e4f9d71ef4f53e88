"""The UI's handle on the sandbox: started off the event loop so the first frame never waits for it.

``modbox.sandbox`` is imported in a background thread after the app has drawn, and learner code
only ever runs in the sandbox's own processes. Tests hand in a factory for a stand-in with the
same interface (``modbox.ui.scripted.ScriptedSandbox``).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from modbox.report import Report


def _default_sandbox() -> Any:
    from modbox.sandbox import Sandbox

    return Sandbox()


class Engine:
    """Creates and starts the sandbox in a thread; ``run`` waits for it, then runs.

    The app calls ``start`` once its first frame is on screen (``App.on_ready``): starting the
    worker takes CPU, and for a while the GIL, that the first frame needs. A run asked for before
    that waits.

    ``state`` is "idle" before ``start``, then "starting", "ready", or "failed" (with ``failure``
    saying why, in words a learner can act on).
    """

    def __init__(self, factory: Callable[[], Any] | None = None):
        self._factory = factory or _default_sandbox
        self.sandbox: Any = None
        self.failure = ""
        self._created = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._create, name="modbox-sandbox", daemon=True)
            self._thread.start()

    def _create(self) -> None:
        try:
            sandbox = self._factory()
            sandbox.start()
            self.sandbox = sandbox
        except Exception as exc:  # an unusable sandbox must not take the editor down with it
            self.failure = f"the sandbox could not start ({type(exc).__name__}: {exc}); try `modbox doctor`"
        finally:
            self._created.set()

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
        limits: Any = None,
        on_progress: Callable[[Any], None] | None = None,
        evaluate: list[str] | tuple[str, ...] = (),
    ) -> Report:
        """The sandbox's Report; raises what the sandbox raises (a superseded run, a failure).
        ``evaluate``: expressions answered in ``Report.values`` (a lesson's checks ask them)."""
        while not self._created.is_set():
            await asyncio.sleep(0.02)
        if self.sandbox is None:
            raise RuntimeError(self.failure)
        return await self.sandbox.run_async(
            source, filename=filename, timeout=timeout, limits=limits, on_progress=on_progress,
            evaluate=evaluate,
        )

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
