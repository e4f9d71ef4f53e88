"""The app on the real sandbox (warm zygote, real torch in its own processes): Pilot tests."""

from __future__ import annotations

import pytest

from modbox.ui.app import ModboxApp
from modbox.ui.widgets.findings_pane import FindingsPane
from modbox.ui.widgets.modules_pane import ModuleTree
from tests.support.programs import IMPORTS, PLAIN_LIST_CNN
from tests.support.ui import drive, wait_for, wait_for_report

pytestmark = pytest.mark.slow

MLP = """\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 2)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


model = MLP()
print("out", tuple(model(torch.randn(3, 4)).shape))
"""


def real_app(**kwargs) -> ModboxApp:
    return ModboxApp(**kwargs)


def test_a_real_run_shows_its_output_tier_and_time():
    app = real_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(MLP)
        ws.run_now()
        report = await wait_for_report(pilot, timeout=180)
        assert report.ok, report.error
        assert report.sandbox in ("bwrap", "landlock", "plain")
        ws.show_pane("output")
        text = str(ws.query_one("#output-text").render())
        assert "out (3, 2)" in text
        assert f"sandbox: {report.sandbox}" in text
        assert "done in" in str(ws.query_one("#status-main").render())

    drive(app, scenario)


def test_a_real_failure_marks_the_line_and_keeps_the_good_report_stale():
    app = real_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(MLP)
        ws.run_now()
        good = await wait_for_report(pilot, timeout=180)
        assert good.ok
        ws.set_source(MLP.replace("model = MLP()", "model = MLP(\n"))
        ws.run_now()
        bad = await wait_for_report(pilot, 2, timeout=60)
        assert bad.error.kind == "syntax"
        assert ws.editor.error_line == bad.error.line
        assert ws.good_report is good
        assert ws.query_one("#stale-banner").display
        ws.set_source(MLP.replace('print("out"', 'raise ValueError("no"); print("out"'))
        ws.run_now()
        exc = await wait_for_report(pilot, 3, timeout=60)
        assert exc.error.kind == "exception" and exc.error.line == 17
        assert ws.editor.error_line == 17

    drive(app, scenario)


def test_a_real_newer_run_supersedes_a_long_one():
    app = real_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source("import time\ntime.sleep(30)\n")
        ws.run_now()
        await wait_for(pilot, lambda: app.engine.state == "ready", timeout=180, what="the worker")
        await pilot.pause(0.5)
        ws.set_source('print("second")\n')
        ws.run_now()
        report = await wait_for_report(pilot, timeout=60)
        assert report.ok and report.stdout == "second\n"
        assert len(pilot.reports) == 1

    drive(app, scenario)


def test_plain_list_then_modulelist_as_a_learner_would_see_it():
    """The issue's walk-through: count drops and a finding points at the line, then recovers."""
    app = real_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.set_source(MLP)
        good = await wait_for_report(pilot, timeout=180)
        assert good.models, f"the run reported no models; its stderr: {good.stderr!r}"
        total = good.models[0].total_params
        assert total == 4 * 8 + 8 + 8 * 2 + 2
        plain = MLP.replace("nn.ModuleList([nn.Linear(4, 8), nn.Linear(8, 2)])",
                            "[nn.Linear(4, 8), nn.Linear(8, 2)]")
        ws.set_source(plain)
        await wait_for(pilot, lambda: ws.good_report.models and ws.good_report.models[0].total_params == 0,
                       timeout=60, what="the count to drop")
        assert "params -58" in str(ws.query_one("#status-change").render())
        ws.show_pane("findings")
        await pilot.pause()
        findings = ws.query_one(FindingsPane)
        assert findings.findings[0].kind == "unregistered_module"
        assert findings.findings[0].line == 8
        ws.set_source(MLP)
        await wait_for(pilot, lambda: ws.good_report.models[0].total_params == total, timeout=60,
                       what="the count to recover")
        ws.show_pane("modules")
        await pilot.pause()
        assert [c.data.path for c in ws.query_one(ModuleTree).root.children] == ["layers"]

    drive(app, scenario)


def test_a_failed_run_shows_its_own_model_findings_and_events_that_explain_it():
    """The file fails with a dtype error; what explains it (the layers in a plain list, which
    .to() never reached) is in the failed run's own report, and the panes show that one."""
    app = real_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(IMPORTS)
        ws.run_now()
        first = await wait_for_report(pilot, timeout=180)
        assert first.ok
        ws.set_source(PLAIN_LIST_CNN)
        ws.run_now()
        bad = await wait_for_report(pilot, 2, timeout=60)
        assert bad.error.kind == "exception" and "double" in bad.error.message
        assert ws.shown_report is bad
        assert str(ws.query_one("#stale-banner").render()).startswith("From the failed run")
        tree = ws.query_one(ModuleTree)
        assert [c.data.path for c in tree.root.children] == ["head"]  # the model as built
        ws.show_pane("findings")
        await pilot.pause()
        findings = ws.query_one(FindingsPane).findings
        assert [f.kind for f in findings] == ["unregistered_module"]
        assert "plain list" in findings[0].message
        # the events up to the error: the model's call, and the first layer's that raised
        assert [e.kind for e in bad.events][:2] == ["forward_pre", "forward_pre"]

    drive(app, scenario)
