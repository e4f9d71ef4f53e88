"""Keep Python's cyclic garbage collector off what it need not scan: start-up, and big reports.

Start-up (``modbox play`` and ``modbox learn``) makes about 110,000 objects that live as long as
the app (modules, classes, widgets, styles): collecting while they were made took about 170
collections and 50-70 ms of the CPU before the first frame, and found a few thousand objects of
garbage. ``pause_for_start_up`` switches the collector off; ``start_up_done`` (the first frame
is on screen) freezes what start-up made, garbage included, and switches it on again.

A full collection scans every live object: with 100k events alive that froze the UI for up to
440 ms here. ``gc.freeze`` moves what is alive now out of the collector's sight (reference counting
still frees it when the report is dropped); once a small report has replaced the big one,
``gc.unfreeze`` hands everything back.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modbox.report import Report


def pause_for_start_up() -> None:
    gc.disable()


def start_up_done() -> None:
    """Freeze what start-up made and collect again, if start-up paused the collector (an app
    made elsewhere, a test's, runs with it throughout)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


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
