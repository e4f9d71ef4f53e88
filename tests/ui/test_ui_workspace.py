"""The Workspace with a scripted sandbox: typing, running, live mode, errors and the stale view."""

from __future__ import annotations

import pytest

from modbox.report import Report
from modbox.ui.widgets.findings_pane import FindingsPane
from modbox.ui.widgets.modules_pane import ModuleTree
from tests.support.ui import drive, scripted_app, wait_for, wait_for_report
from tests.support.ui_reports import error_report, mlp_model, report_from_source, showcase_report

MLP = "import torch\nfrom torch import nn\nfc1 = nn.Linear(4, 8)\nfc2 = nn.Linear(8, 2)\n"


def status(app) -> str:
    return str(app.workspace.query_one("#status-main").render())


@pytest.mark.slow
def test_typing_in_live_mode_runs_the_buffer_with_the_short_limit():
    app, sandbox = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.editor.load_text("")
        ws.editor.focus()
        await pilot.press(*"fc = nn.Linear(4, 8)")
        await wait_for(pilot, lambda: sandbox.runs and sandbox.runs[-1]["source"] == ws.source
                       and not ws.running, what="a live run of the typed text")
        report = ws.last_report
        assert ws.source == "fc = nn.Linear(4, 8)"
        assert report.models[0].total_params == 40
        assert sandbox.runs[-1]["timeout"] == ws.live_timeout
        assert sandbox.runs[-1]["source"] == "fc = nn.Linear(4, 8)"
        tree = ws.query_one(ModuleTree)
        assert [c.data.path for c in tree.root.children] == ["fc"]

    drive(app, scenario)


def test_ctrl_r_and_f5_run_with_the_full_limit_when_live_mode_is_off():
    app, sandbox = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(MLP)
        await pilot.pause(0.6)
        assert sandbox.runs == []  # live mode off: typing does not run
        await pilot.press("ctrl+r")
        await wait_for_report(pilot, 1)
        await pilot.press("f5")
        await wait_for_report(pilot, 2)
        assert [r["timeout"] for r in sandbox.runs] == [None, None]
        assert "done in" in status(app)
        assert ws.good_report.models[0].total_params == 4 * 8 + 8 + 8 * 2 + 2

    drive(app, scenario)


@pytest.mark.slow
def test_a_failing_run_shows_its_own_report_marked_failed_and_the_last_good_one_on_alt_g():
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(MLP)
        ws.run_now()
        good = await wait_for_report(pilot, 1)
        ws.set_source(MLP + "fc3 = nn.Linear(2, 2)\nraise ValueError('no')\n")
        ws.run_now()
        bad = await wait_for_report(pilot, 2)
        assert not bad.ok and bad.error.line == 6
        assert ws.editor.error_line == 6
        assert ws.good_report is good and ws.last_report is bad and ws.shown_report is bad
        banner = lambda: str(ws.query_one("#stale-banner").render())  # noqa: E731
        assert ws.query_one("#stale-banner").display
        assert banner().startswith("From the failed run (exception (line 6))") and "alt+g" in banner()
        assert ws.query_one("#panes").has_class("-failed")
        assert status(app).startswith("exception: NameError")
        assert status(app).count("line 6") == 1
        tree = ws.query_one(ModuleTree)
        # the model as the failed run built it, up to the error
        assert [c.data.path for c in tree.root.children] == ["fc1", "fc2", "fc3"]
        await pilot.press("alt+g")  # the last good run, marked stale
        assert ws.shown_report is good and ws.query_one("#panes").has_class("-stale")
        assert banner().startswith("Stale: the last good run")
        assert [c.data.path for c in tree.root.children] == ["fc1", "fc2"]
        await pilot.press("alt+g")  # and back
        assert ws.shown_report is bad
        assert [c.data.path for c in tree.root.children] == ["fc1", "fc2", "fc3"]
        ws.show_pane("output")
        assert "Traceback" not in str(ws.query_one("#output-text").render())
        assert "line 6" in str(ws.query_one("#output-text").render())
        ws.set_source(MLP)
        ws.run_now()
        await wait_for_report(pilot, 3)
        assert ws.editor.error_line is None
        assert not ws.query_one("#stale-banner").display

    drive(app, scenario)


@pytest.mark.slow
def test_plain_list_drops_the_count_and_the_finding_moves_the_cursor_to_its_line():
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.set_source(MLP)
        await wait_for(pilot, lambda: ws.good_report is not None and ws.good_report.models[0].total_params == 58)
        ws.set_source(MLP.replace("fc2 = nn.Linear(8, 2)", "fc2 = [nn.Linear(8, 2)]"))
        await wait_for(pilot, lambda: ws.good_report.models[0].total_params == 40, what="count drop")
        assert "params -18 (now 40)" in str(ws.query_one("#status-change").render())
        assert "removed: fc2" in str(ws.query_one("#status-change").render())
        ws.show_pane("findings")
        await pilot.pause()
        findings = ws.query_one(FindingsPane)
        assert findings.findings[0].kind == "unregistered_module"
        findings.focus()
        findings.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert ws.editor.cursor_location == (3, 0)  # line 4, 0-based row 3
        assert ws.editor.has_focus

    drive(app, scenario)


@pytest.mark.slow
def test_a_newer_run_supersedes_the_one_in_flight_and_only_the_newest_is_shown():
    # each run takes 2 s: far longer than the few milliseconds between the two requests
    app, sandbox = scripted_app(delay=2.0)

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source("a = nn.Linear(1, 1)\n")
        ws.run_now()
        await wait_for(pilot, lambda: len(sandbox.runs) == 1, what="the first run to be in flight")
        ws.set_source("b = nn.Linear(2, 2)\n")
        ws.run_now()
        report = await wait_for_report(pilot, 1)
        # once every run the workspace asked for has ended, no other report can arrive
        await wait_for(pilot, lambda: all(w.is_finished for w in app.workers
                                          if w.group == "workspace-run"), what="the run workers")
        assert len(pilot.reports) == 1
        assert [m.path for m in report.models[0].modules] == ["", "b"]
        assert len(sandbox.runs) == 2

    drive(app, scenario)


@pytest.mark.slow
def test_a_run_requested_before_the_worker_is_ready_waits_then_runs():
    app, sandbox = scripted_app(ready_after=float("inf"))

    async def scenario(pilot):
        ws = app.workspace
        assert "starting the worker" in status(app) or "waiting for the worker" in status(app)
        ws.live = False
        ws.set_source(MLP)
        ws.run_now()
        await pilot.pause(0.3)
        assert "waiting for the worker" in status(app)
        assert pilot.reports == []
        sandbox.become_ready()
        report = await wait_for_report(pilot)
        assert report.models[0].total_params == 58
        assert "done in" in status(app)

    drive(app, scenario, settle=False)


@pytest.mark.slow
def test_output_is_shown_literally_never_as_markup_or_escapes():
    app, _ = scripted_app(respond=lambda s: showcase_report())

    async def scenario(pilot):
        ws = app.workspace
        ws.run_now()
        await wait_for_report(pilot)
        ws.show_pane("output")
        text = str(ws.query_one("#output-text").render())
        assert "[bold]not markup[/bold]" in text
        assert "\x1b" not in text and "no colour" in text
        assert "a warning on stderr" in text
        assert "sandbox: bwrap" in text

    drive(app, scenario)


def test_several_models_get_a_selector_with_model_first():
    def respond(source):
        return Report(ok=True, sandbox="bwrap", models=[
            mlp_model([("enc", 4, 4)], name="encoder"),
            mlp_model([("fc", 4, 2)], name="model"),
        ])

    app, _ = scripted_app(respond=respond)

    async def scenario(pilot):
        ws = app.workspace
        ws.run_now()
        await wait_for_report(pilot)
        select = ws.query_one("#model-select")
        assert select.display
        assert ws.selected_model == "model"
        assert [c.data.path for c in ws.query_one(ModuleTree).root.children] == ["fc"]
        select.value = "encoder"
        await pilot.pause()
        assert [c.data.path for c in ws.query_one(ModuleTree).root.children] == ["enc"]

    drive(app, scenario)


def test_plain_tier_says_what_it_does_not_confine():
    app, _ = scripted_app(tier="plain")

    async def scenario(pilot):
        app.workspace.run_now()
        await wait_for_report(pilot)
        mode = str(app.workspace.query_one("#status-mode").render())
        assert "your files can be read" in mode and "network" in mode, mode

    drive(app, scenario)


@pytest.mark.slow
def test_hooks_pane_streams_events_and_filters_by_kind_and_module():
    app, _ = scripted_app(respond=lambda s: showcase_report(), progress_batches=3, delay=0.1)

    async def scenario(pilot):
        ws = app.workspace
        ws.show_pane("hooks")
        ws.run_now()
        await wait_for_report(pilot)
        from modbox.ui.widgets.hooks_pane import EventList

        events = ws.query_one(EventList)
        assert [events.events[i].seq for i in events.shown] == [0, 1, 2, 3, 4, 5]
        await pilot.click("#hooks-filter")
        await pilot.press(*"direct_forward")
        await pilot.pause()
        assert [events.events[i].kind for i in events.shown] == ["direct_forward"]
        ws.query_one("#hooks-filter").value = "fc2"
        await pilot.pause()
        assert [events.events[i].seq for i in events.shown] == [3]
        ws.query_one("#hooks-filter").value = "hook"
        await pilot.pause()
        ws.live = False
        ws.set_source("x = 1\n" * 20)
        events.focus()
        await pilot.press("enter")  # the learner's hook fired at line 12
        await pilot.pause()
        assert ws.editor.cursor_location == (11, 0)

    drive(app, scenario)


def test_parameters_pane_sorts_and_shows_torchinfo_totals():
    app, _ = scripted_app(respond=lambda s: showcase_report())

    async def scenario(pilot):
        ws = app.workspace
        ws.run_now()
        await wait_for_report(pilot)
        ws.show_pane("parameters")
        await pilot.pause()
        from modbox.ui.widgets.parameters_pane import ParametersPane

        pane = ws.query_one(ParametersPane)
        pane.sort_by("numel", reverse=True)
        assert [p.numel for p in pane.rows] == [64, 48, 16, 3]
        pane.sort_by("numel")
        assert [p.name for p in pane.rows] == ["fc2.bias", "fc1.bias", "fc2.weight", "fc1.weight"]
        table = pane.query_one("#parameters-table")
        assert table.get_row_at(0)[0] == "fc2.bias"
        totals = str(pane.query_one("#parameters-totals").render())
        assert "Total params: 131" in totals
        assert "Trainable params: 83" in totals and "Non-trainable params: 48" in totals

    drive(app, scenario)


@pytest.mark.slow
def test_state_dict_pane_shows_tied_names_and_unsaved_buffers():
    app, _ = scripted_app(respond=lambda s: showcase_report())

    async def scenario(pilot):
        ws = app.workspace
        ws.run_now()
        await wait_for_report(pilot)
        ws.show_pane("state_dict")
        await pilot.pause()
        from modbox.ui.widgets.state_dict_pane import state_dict_rows

        rows = {r[0]: r for r in state_dict_rows(ws.model())}
        assert rows["head.weight"][2] == "same tensor as fc1.weight"
        assert rows["fc1.scale"][3] == "missing"
        summary = str(ws.query_one("#state-dict-summary").render())
        assert "tied" in summary and "not saved" in summary

    drive(app, scenario)


@pytest.mark.slow
def test_error_before_any_good_run_is_marked_failed_with_nothing_to_switch_to():
    app, _ = scripted_app(respond=lambda s: error_report(line=2))

    async def scenario(pilot):
        ws = app.workspace
        ws.run_now()
        await wait_for_report(pilot)
        assert ws.editor.error_line == 2
        banner = str(ws.query_one("#stale-banner").render())
        assert banner.startswith("From the failed run") and "alt+g" not in banner
        assert "exception" in status(app)
        await pilot.press("alt+g")
        assert ws.shown_report is ws.last_report

    drive(app, scenario)


@pytest.mark.slow
def test_all_100k_streamed_events_are_reachable_in_the_hooks_pane():
    from tests.support.ui_reports import many_events_report

    from modbox.ui.widgets.hooks_pane import EventList

    report = many_events_report()
    app, _ = scripted_app(respond=lambda s: report, progress_batches=40, delay=0.4)

    async def scenario(pilot):
        ws = app.workspace
        ws.show_pane("hooks")
        ws.run_now()
        await wait_for_report(pilot, timeout=60)
        events = ws.query_one(EventList)
        assert len(events.shown) == 100_000
        events.focus()
        await pilot.press("home")
        assert events.selected.seq == 0
        await pilot.press("end")
        assert events.selected.seq == 99_999
        await pilot.press("pageup", "up")
        assert events.selected.seq < 99_999 - 10
        ws.query_one("#hooks-filter").value = "hook"
        await pilot.pause()
        assert len(events.shown) == 100
        assert all(events.events[i].kind == "hook" for i in events.shown)
        assert "100,000 events, 100 match the filter" in str(ws.query_one("#hooks-count").render())

    drive(app, scenario)


@pytest.mark.slow
def test_a_10k_module_tree_opens_lazily_and_every_node_is_reachable():
    from tests.support.ui_reports import flat_model_report, huge_model_report

    huge, flat = huge_model_report(), flat_model_report(9_999)
    app, _ = scripted_app(respond=lambda source: flat if "flat" in source else huge)

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source("deep")
        ws.run_now()
        await wait_for_report(pilot)
        tree = ws.query_one(ModuleTree)
        assert len(ws.model().modules) == 10_002
        blocks = tree.root.children[0]
        assert blocks.data.path == "blocks" and len(blocks.children) == 100
        assert len(blocks.children[5].children) == 0  # not built until expanded
        blocks.children[5].expand()
        await pilot.pause()
        assert [c.data.path for c in blocks.children[5].children][-1] == "blocks.5.98"

        ws.set_source("flat")
        ws.run_now()
        await wait_for_report(pilot, 2)
        assert len(ws.model().modules) == 10_000
        root = tree.root
        assert len(root.children) == 501  # 500 layers and a "more" node
        tree.focus()
        tree.move_cursor(root.children[-1])
        await pilot.press("enter")
        await pilot.pause()
        assert len(root.children) == 1001
        assert root.children[999].data.path == "999"

    drive(app, scenario)


def test_the_status_line_says_when_highlighting_is_unavailable(monkeypatch):
    from modbox.ui.widgets.editor import CodeEditor

    monkeypatch.setattr(CodeEditor, "is_syntax_aware", property(lambda self: False))
    app, _ = scripted_app()

    async def scenario(pilot):
        assert "no highlighting" in str(app.workspace.query_one("#status-mode").render())

    drive(app, scenario)


def test_the_collector_is_kept_off_a_big_report_and_handed_back_after_it():
    import gc

    from modbox.ui.collector import BIG, QuietCollector

    collector = QuietCollector()
    try:
        collector.follow(BIG + 1)
        assert gc.get_freeze_count() > 0
        collector.follow(BIG)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_status_line_hears_when_the_worker_gets_ready_with_no_run_in_flight():
    # nothing is running, so only the engine telling the status line can change what it says
    app, sandbox = scripted_app(ready_after=float("inf"))

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.forget_runs()
        assert "starting the worker" in status(app)
        sandbox.become_ready()
        await wait_for(pilot, lambda: "ready: ctrl+r runs the file" in status(app),
                       what="the status line to say the worker is ready")
        assert pilot.reports == []

    drive(app, scenario, settle=False)
