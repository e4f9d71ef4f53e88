"""Keep Python's full collections off a big report's objects.

A full collection scans every live object: with 100k events alive that froze the UI for up to
440 ms here. ``gc.freeze`` moves what is alive now out of the collector's sight (reference counting
still frees it when the report is dropped); once a small report has replaced the big one,
``gc.unfreeze`` hands everything back.
"""

from __future__ import annotations

import gc

from modbox.report import Report

BIG = 10_000  # events or modules in a report beyond which the cyclic collector is kept off them


def report_size(report: Report) -> int:
    """What a report holds that the collector would scan: its events and module rows."""
    return len(report.events) + sum(len(m.modules) for m in report.models)


class QuietCollector:
    """Freezes the collector while what is shown is big, unfreezes once it is small again."""

    def __init__(self) -> None:
        self._frozen = False

    def follow(self, size: int) -> None:
        """``size``: the events and modules shown now (streamed so far, or a whole report's)."""
        if size > BIG:
            gc.freeze()
            self._frozen = True
        elif self._frozen:
            gc.unfreeze()
            self._frozen = False
