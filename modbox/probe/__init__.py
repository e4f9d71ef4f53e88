"""Inside the run child: instrument the learner's program and inspect the modules it built.

This is the only package besides ``modbox.sandbox``'s worker side that imports torch.
(Placeholder: the Inspector fills this in; the interface is fixed.)
"""

from __future__ import annotations

from typing import Callable


class Probe:
    """Instrumentation for one run.

    The run child calls ``install()`` before executing the learner's code, ``uninstall()`` after
    it (also when it failed), then ``inspect(namespace)`` to describe the models it left behind.
    ``emit`` receives each event as a dict shaped like ``modbox.report.Event``; the sandbox
    batches, caps and counts them.
    """

    def __init__(self, filename: str, emit: Callable[[dict], None]):
        self.filename = filename
        self.emit = emit

    def install(self) -> None:
        pass

    def uninstall(self) -> None:
        pass

    def inspect(self, namespace: dict) -> list[dict]:
        """Model dicts shaped like ``modbox.report.Model`` (JSON keys), ``model`` first."""
        return []
