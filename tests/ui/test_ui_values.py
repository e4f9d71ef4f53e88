"""The Values pane and the module at fault, on the real sandbox (real torch, real probe): Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Sparkline

from modbox.ui.app import ModboxApp
from modbox.ui.widgets.modules_pane import ModuleTree
from modbox.ui.widgets.values_pane import ValuesPane
from tests.support.probe import EXAMPLES
from tests.support.ui import drive, wait_for, wait_for_report

pytestmark = pytest.mark.slow


async def run_example(pilot, app, name: str, count: int = 1):
    """Put an example in the editor, run it, and return its Report."""
    ws = app.workspace
    ws.live = False
    ws.set_source((EXAMPLES / name).read_text())
    ws.run_now()
    return await wait_for_report(pilot, count=count, timeout=180)


def cells(table: DataTable) -> list[str]:
    return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def test_values_pane_shows_a_dead_relu_its_trend_and_histograms():
    app = ModboxApp()

    async def scenario(pilot):
        ws = app.workspace
        report = await run_example(pilot, app, "dead_activation.py")
        assert report.ok, report.error
        await pilot.press("alt+7")
        pane = ws.query_one(ValuesPane)
        table = pane.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, what="a row per module")
        rows = cells(table)
        relu = next(r for r in rows if "model.1 ReLU" in r)
        assert "dead_activation" in relu and "100%" in relu and "✗" in relu
        table.focus()
        for _ in range(2):  # model, model.0, model.1: the ReLU
            await pilot.press("down")
        await wait_for(pilot, lambda: pane.selected is not None and pane.selected.path == "1",
                       what="the ReLU selected")
        assert "model.1" in str(pane.query_one("#values-title").render())
        assert "no parameters of its own" in str(pane.query_one("#values-grad-label").render())
        await pilot.press("up")
        await wait_for(pilot, lambda: pane.selected.path == "0", what="the Linear selected")
        grad = pane.query_one("#values-grad", Sparkline)
        assert len(grad.data) == 5  # one gradient norm per backward pass
        assert "gradient norm of 0.weight" in str(pane.query_one("#values-grad-label").render())
        label = pane.query_one("#values-histogram-label")
        assert "latest output" in str(label.render())
        await pilot.press("w")
        await wait_for(pilot, lambda: "0.weight" in str(label.render()), what="the weight histogram")
        assert sum(pane.query_one("#values-histogram", Sparkline).data) == 320

    drive(app, scenario, settle=False)


def test_a_shape_error_shows_the_shapes_up_to_it_and_marks_the_module_at_fault():
    app = ModboxApp()

    async def scenario(pilot):
        ws = app.workspace
        report = await run_example(pilot, app, "shape_mismatch.py")
        assert not report.ok
        ws.show_pane("modules")
        tree = ws.query_one(ModuleTree)
        await wait_for(pilot, lambda: len(tree.root.children) == 3, what="the module tree")
        labels = {node.data.path: str(node.label) for node in tree.root.children}
        assert "→ [4, 8, 26, 26]" in labels["conv"] and "→ [4, 8, 13, 13]" in labels["pool"]
        assert "✗ shape_mismatch" in labels["fc"] and "→" not in labels["fc"]
        detail = str(ws.query_one("#module-detail-text").render())
        assert "nn.Linear(1352, 10)" in " ".join(detail.split())
        assert "From the failed run" in str(ws.query_one("#stale-banner").render())
        assert ws.shown_report is report  # every pane, Values included, shows the failed run
        # fixing it shows the good run everywhere again, with nothing marked
        ws.set_source((EXAMPLES / "shape_mismatch.py").read_text().replace("8 * 14 * 14", "8 * 13 * 13"))
        ws.run_now()
        fixed = await wait_for_report(pilot, count=2, timeout=180)
        assert fixed.ok, fixed.error
        await wait_for(pilot, lambda: "✗" not in str(tree.root.children[-1].label), what="the mark gone")
        assert not ws.query_one("#stale-banner").display

    drive(app, scenario, settle=False)


def test_the_parameters_pane_works_out_the_memory_of_a_training_step():
    app = ModboxApp()

    async def scenario(pilot):
        ws = app.workspace
        await run_example(pilot, app, "cnn.py")
        ws.show_pane("parameters")
        field = ws.query_one("#memory-input")
        field.focus()
        field.value = "torch.randn(64, 3, 32, 32)"
        await pilot.press("enter")
        report = await wait_for_report(pilot, count=2, timeout=180)
        assert report.ok, report.error
        shown = ws.query_one("#memory-estimate")
        await wait_for(pilot, lambda: "peak with" in str(shown.render()), what="the estimate")
        text = str(shown.render())
        assert "[64, 3, 32, 32]" in text and "activations" in text and "optimizer state (Adam)" in text
        field.value = "torch.randn(64, 1, 32, 32)"  # the wrong number of channels
        await pilot.press("enter")
        await wait_for_report(pilot, count=3, timeout=180)
        await wait_for(pilot, lambda: "No estimate" in str(shown.render()), what="the reason")
        assert "channels" in str(shown.render())

    drive(app, scenario, settle=False)
