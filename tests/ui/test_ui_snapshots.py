"""SVG snapshots of every pane, drawn from one deterministic report (fixed theme, no blinking cursor).

Update after looking at the differences: pytest tests/ui/test_ui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input

from tests.support.ui import app_state, scripted_app, wait_for
from tests.support.ui_reports import error_report, shape_error_report, showcase_report


SOURCE = """\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.extra = [nn.Linear(16, 16)]
        self.fc2 = nn.Linear(16, 3)
        self.fc1.register_buffer("scale", torch.ones(16), persistent=False)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = MLP()
model.fc1.forward(torch.randn(2, 4))
"""

SIZE = (150, 36)


async def still(pilot, timeout: float = 60.0) -> None:
    """Wait until the screen draws the same twice in a row, a moment apart: nothing is still
    being laid out or painted."""
    deadline = time.monotonic() + timeout
    shown = pilot.app.export_screenshot()
    while True:
        await pilot.pause(0.2)
        now = pilot.app.export_screenshot()
        if now == shown:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen still changes after {timeout:.0f} s; {app_state(pilot.app)}")
        shown = now


def prepared(pane: str, fail_after: bool = False, theme: str = "textual-dark"):
    """(app, run_before) showing ``pane`` after a good run (then a failing one with fail_after)."""
    reports = [showcase_report(), error_report(line=9)] if fail_after else [showcase_report()]
    answers = iter(reports * 3)
    app, _ = scripted_app(respond=lambda source: next(answers, reports[-1]))

    async def run_before(pilot):
        ws = app.workspace
        await wait_for(pilot, lambda: ws.last_report is not None and not ws.running, what="first run")
        ws.live = False
        app.theme = theme
        ws.set_source(SOURCE)
        if fail_after:
            ws.run_now()
            await wait_for(pilot, lambda: ws.last_report is not None and not ws.last_report.ok,
                           what="the failing run")
        # the cursor is drawn only in a focused editor, and only in its blink's "on" phase: put
        # it at the start, focus the editor, then stop the blinking (which leaves it drawn)
        ws.editor.move_cursor((0, 0))
        ws.editor.focus()
        await wait_for(pilot, lambda: ws.editor.has_focus, what="the editor to have focus")
        ws.editor.cursor_blink = False
        for field in app.screen.query(Input):
            field.cursor_blink = False
        ws.show_pane(pane)
        app.clear_notifications()
        await pilot.wait_for_scheduled_animations()
        await pilot.wait_for_animation()
        await still(pilot)  # a loaded machine may still be laying out the stale banner

    return app, run_before


@pytest.mark.slow
@pytest.mark.parametrize("pane", ["modules", "parameters", "state_dict", "hooks", "findings", "output", "values"])
def test_pane_snapshot(snap_compare, pane):
    app, run_before = prepared(pane)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_failed_run_snapshot_shows_its_own_panes_marked_and_the_marked_line(snap_compare):
    app, run_before = prepared("modules", fail_after=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_shape_error_snapshot_shows_the_shapes_up_to_the_failure_and_marks_the_module(snap_compare):
    reports = iter([showcase_report(), shape_error_report()])
    app, _ = scripted_app(respond=lambda source: next(reports, shape_error_report()))

    async def run_before(pilot):
        ws = app.workspace
        await wait_for(pilot, lambda: ws.last_report is not None and not ws.running, what="first run")
        ws.live = False
        ws.set_source(SOURCE)
        ws.run_now()
        await wait_for(pilot, lambda: ws.last_report is not None and not ws.last_report.ok,
                       what="the failing run")
        ws.editor.cursor_blink = False
        ws.show_pane("modules")
        await pilot.wait_for_scheduled_animations()
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.slow
def test_light_theme_snapshot(snap_compare):
    app, run_before = prepared("parameters", theme="textual-light")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
