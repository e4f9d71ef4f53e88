"""What start-up defers until the first frame is on screen, and the footer that is laid out again
only when its keys change. The timings themselves are in bench/bench_ui.py, never asserted here."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest
from textual.app import App

from modbox.ui.app import ModboxApp
from modbox.testing.scripted_sandbox import ScriptedSandbox
from modbox.ui.widgets.editor import CodeEditor
from modbox.ui.widgets.footer import Footer
from modbox.ui.widgets.modules_pane import ModulesPane
from modbox.ui.widgets.pane_tabs import PaneTabs
from modbox.ui.workspace import PANE_TITLES, PANES, Workspace
from tests.support.ui import SIZE, drive, screen_text, scripted_app, wait_for
from tests.support.ui_reports import report_from_source, showcase_report


@pytest.mark.slow
def test_the_worker_starts_only_after_the_first_frame():
    order = []

    def factory():
        order.append("worker")
        return ScriptedSandbox(report_from_source)

    class Recording(ModboxApp):
        def on_ready(self) -> None:  # Textual: "the first frame has been displayed"
            order.append("first frame")

    app = Recording(sandbox_factory=factory)

    async def scenario(pilot):
        assert order == ["first frame", "worker"]

    drive(app, scenario)  # which first waits for the run the scratch buffer asked for at mount


def test_highlighting_arrives_after_mount_and_keeps_the_cursor():
    class EditorApp(App):
        def compose(self):
            yield CodeEditor("import torch\nx = 1\ny = 2\n")

        def on_mount(self) -> None:
            # the learner moved the cursor before highlighting started
            self.query_one(CodeEditor).selection = ((2, 1), (2, 1))

    async def main():
        app = EditorApp()
        async with app.run_test(size=SIZE) as pilot:
            editor = app.query_one(CodeEditor)
            await wait_for(pilot, lambda: editor.is_syntax_aware, what="highlighting")
            assert editor.language == "python"
            assert editor.selection == ((2, 1), (2, 1))
            assert not editor.highlighting_missing

    asyncio.run(main())


def footer_descriptions(app) -> list[str]:
    return [key.description for key in app.screen.query_one(Footer).keys]


def test_the_first_frame_has_the_footer_keys():
    at_first_frame = {}

    class Recording(ModboxApp):
        def on_ready(self) -> None:  # Textual: "the first frame has been displayed"
            at_first_frame["keys"] = footer_descriptions(self)
            at_first_frame["screen"] = screen_text(self)
            super().on_ready()

    app = Recording(sandbox_factory=lambda: ScriptedSandbox(report_from_source))

    async def scenario(pilot):
        assert {"Find", "Run", "Quit", "Help"} <= set(at_first_frame["keys"])
        assert "^q Quit" in at_first_frame["screen"] and "f1 Help" in at_first_frame["screen"]

    drive(app, scenario)


def test_the_footer_follows_the_focus_and_is_laid_out_again_only_when_its_keys_change(monkeypatch):
    layouts = []
    show = Footer._show

    def counted(self, shown):
        layouts.append(shown)
        show(self, shown)

    monkeypatch.setattr(Footer, "_show", counted)
    app, _ = scripted_app()

    async def scenario(pilot):
        shown = footer_descriptions(app)
        assert "Find" in shown and "Help" in shown  # the editor's keys and the app's
        before = len(layouts)
        app.screen.refresh_bindings()  # the bindings "changed" to the same keys
        await pilot.pause()
        assert len(layouts) == before

        app.screen.query_one(PaneTabs).focus()  # the editor's keys no longer apply
        await wait_for(pilot, lambda: "^f Find" not in screen_text(app), what="new keys drawn")
        assert "Help" in footer_descriptions(app) and "f1 Help" in screen_text(app)
        assert len(layouts) == before + 1

        app.workspace.editor.focus()
        await wait_for(pilot, lambda: "^f Find" in screen_text(app), what="the editor's keys drawn")

    drive(app, scenario)


def test_the_footer_keeps_its_keys_while_the_terminal_has_no_focus():
    app, _ = scripted_app()

    async def scenario(pilot):
        assert "Find" in footer_descriptions(app)
        app.app_focus = False  # Textual takes the focus off the editor: its keys would go
        await pilot.pause()
        assert app.focused is None and "Find" in footer_descriptions(app)
        app.app_focus = True  # the editor has the focus again, and its keys are right
        await wait_for(pilot, lambda: app.focused is app.workspace.editor, what="the editor's focus")
        assert "Find" in footer_descriptions(app)

    drive(app, scenario)


def test_the_footer_shows_its_keys_when_the_app_starts_without_the_focus():
    # a browser tab may tell the app it has no focus before the footer has any keys
    app, _ = scripted_app()
    app.set_reactive(App.app_focus, False)

    async def scenario(pilot):
        await wait_for(pilot, lambda: "Help" in footer_descriptions(app), what="the footer's keys")
        assert "f1 Help" in screen_text(app)
        assert not app.app_focus

    drive(app, scenario)


def composed_panes(ws: Workspace) -> list[str]:
    """The panes mounted, by name."""
    return [pane.id for pane in ws.query_one("#panes").children]


def test_the_first_frame_composes_the_pane_it_shows_and_every_tab_then_the_rest():
    at_first_frame = {}

    class Recording(ModboxApp):
        def on_ready(self) -> None:  # Textual: "the first frame has been displayed"
            ws = self.workspace
            at_first_frame["panes"] = composed_panes(ws)
            at_first_frame["tabs"] = screen_text(self).splitlines()[1]  # the row under the file bar
            at_first_frame["model picker"] = bool(ws.query("#model-select"))
            super().on_ready()

    app = Recording(sandbox_factory=lambda: ScriptedSandbox(report_from_source))

    async def scenario(pilot):
        assert at_first_frame["panes"] == ["modules"] and not at_first_frame["model picker"]
        assert "  ".join(PANE_TITLES[name] for name in PANES) in at_first_frame["tabs"]
        # mounted right after it: every pane, each shown only when its tab is picked
        assert composed_panes(app.workspace) == list(PANES)
        assert [p.id for p in app.workspace.query_one("#panes").children if p.display] == ["modules"]
        assert app.workspace.query("#model-select")

    drive(app, scenario)  # which first waits for the run the scratch buffer asked for at mount


def hidden_parts_mounted_when_set(monkeypatch) -> asyncio.Event:
    """The panes behind the other tabs (and the rest mounted after the first frame) wait for the
    event returned to be set."""
    mounted = Workspace._mount_hidden_parts
    let = asyncio.Event()

    async def mounted_when_let(self):
        await let.wait()
        await mounted(self)

    monkeypatch.setattr(Workspace, "_mount_hidden_parts", mounted_when_let)
    return let


@pytest.mark.slow
def test_a_run_waits_for_the_panes_mounted_after_the_first_frame(monkeypatch, tmp_path):
    # The panes behind the other tabs are mounted just after the first frame. A worker that is
    # already warm could answer the file's own run before that: its report must reach them all.
    worker_ready = hidden_parts_mounted_when_set(monkeypatch)
    (tmp_path / "model.py").write_text("import torch\nfc1 = nn.Linear(4, 16)\n")
    app = ModboxApp(file=tmp_path / "model.py",
                    sandbox_factory=lambda: ScriptedSandbox(lambda source: showcase_report()))

    async def scenario(pilot):
        ws = app.workspace
        await wait_for(pilot, lambda: app.engine.state == "ready", what="the worker")
        worker_ready.set()
        await wait_for(pilot, lambda: pilot.reports and not ws.running, what="the file's run")
        report = pilot.reports[0]
        assert ws.query_one("ModuleTree").root.children
        for pane in PANES:
            ws.show_pane(pane)
        await pilot.pause()
        assert "Total params: 131" in str(ws.query_one("#parameters-totals").render())
        assert len(ws.query_one("EventList").events) == len(report.events)
        assert "not markup" in str(ws.query_one("#output-text").render())
        assert len(ws.query_one("FindingsPane").findings) == 2

    drive(app, scenario, settle=False)


def test_play_mode_is_the_first_screen_with_nothing_under_it():
    from modbox.ui.screens.play import PlayScreen

    app, _ = scripted_app()

    async def scenario(pilot):
        # composed with the app (get_default_screen), not pushed over a blank default screen
        assert [type(s) for s in app.screen_stack] == [PlayScreen]

    drive(app, scenario)


class HeldBackSandbox(ScriptedSandbox):
    """A scripted sandbox whose ``start()`` (called on the engine's thread) waits for the test."""

    def __init__(self, respond):
        super().__init__(respond)
        self.release = threading.Event()

    def start(self) -> None:
        if not self.release.wait(60):
            raise RuntimeError("the test never released the sandbox")
        super().start()


def waiting_runs(app) -> list:
    return [w for w in app.workers if w.group == "workspace-run" and not w.is_finished]


def test_ctrl_r_pressed_while_the_worker_starts_runs_once_when_it_is_ready(tmp_path):
    source = "import torch\nfrom torch import nn\nencoder = nn.Linear(4, 8)\n"
    (tmp_path / "model.py").write_text(source)
    sandbox = HeldBackSandbox(report_from_source)
    app = ModboxApp(file=tmp_path / "model.py", sandbox_factory=lambda: sandbox)
    reports = []

    def hook(message):
        if isinstance(message, Workspace.ReportArrived) and message.report not in reports:
            reports.append(message.report)

    async def main():
        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            ws = app.workspace
            # the file's own run, asked for at mount, waits for the worker
            await wait_for(pilot, lambda: ws.running, what="the opening run to be asked for")
            await pilot.press("ctrl+r")
            status = str(ws.query_one("#status-main").render())
            assert "waiting for the worker to start" in status
            assert "your run starts when it is ready" in status
            assert sandbox.runs == []
            sandbox.release.set()
            await wait_for(pilot, lambda: reports and not ws.running, what="the run after start-up")
            # once every run the workspace asked for has ended, nothing more can reach the sandbox
            await wait_for(pilot, lambda: not waiting_runs(app), what="the run workers")
            assert [r["source"] for r in sandbox.runs] == [source]
            assert len(reports) == 1 and reports[0].ok
            assert ws.query_one(ModulesPane).model is not None
            assert "done in" in str(ws.query_one("#status-main").render())

    asyncio.run(main())



@pytest.mark.slow
def test_modbox_play_and_learn_start_the_worker_before_textual_is_imported():
    # launch.play and launch.learn call start_worker first: the zygote imports torch while the
    # app imports Textual and draws its first frame.
    code = (
        "import sys\n"
        "from modbox.ui import launch\n"
        "factory = launch.start_worker([])\n"
        "print('textual' in sys.modules)\n"
        "sandbox = factory()\n"
        "print(sandbox.wait_ready(120))\n"
        "sandbox.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_the_app_does_not_wait_for_the_sandbox_to_be_made(monkeypatch):
    # Making the sandbox tries its tier first (a trial bubblewrap run): start_worker hands that
    # to a thread of its own, and the factory (called after the first frame) waits for it.
    import modbox.sandbox
    from modbox.ui import launch

    made = threading.Event()

    class SlowToMake:
        def __init__(self, reads):
            if not made.wait(60):
                raise RuntimeError("the test never let the sandbox be made")
            self.reads = reads
            self.started = False

        def start(self):
            self.started = True

    monkeypatch.setattr(modbox.sandbox, "Sandbox", SlowToMake)
    factory = launch.start_worker(["/data"])  # returns while the sandbox is being made
    made.set()
    sandbox = factory()
    assert sandbox.reads == ["/data"] and sandbox.started


def test_modbox_play_starts_with_the_collector_paused_and_the_first_frame_resumes_it(monkeypatch):
    import argparse
    import gc

    from modbox.ui import launch

    collecting = []
    monkeypatch.setattr(ModboxApp, "run", lambda app: collecting.append(gc.isenabled()))
    try:
        launch.play(argparse.Namespace(file=None, allow_read=None),
                    sandbox_factory=lambda: ScriptedSandbox(report_from_source))
        assert collecting == [False]  # start-up, the app's imports and first frame included

        app, _ = scripted_app()

        async def scenario(pilot):
            # start-up's objects are frozen out of the collector's sight, and it runs again
            assert gc.isenabled() and gc.get_freeze_count() > 0

        drive(app, scenario)
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.slow
def test_a_sandbox_that_cannot_be_made_early_is_reported_on_the_status_line(monkeypatch):
    from modbox.ui import launch

    monkeypatch.setenv("MODBOX_SANDBOX", "no-such-tier")
    app = ModboxApp(sandbox_factory=launch.start_worker([]))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.engine.state == "failed", what="the failure")
            status = str(app.workspace.query_one("#status-main").render())
            assert "the sandbox could not start" in status and "no-such-tier" in status

    asyncio.run(main())


@pytest.mark.slow
def test_a_lesson_reset_while_the_worker_starts_drops_the_run_asked_for_before_it():
    from tests.support.player_engine import LESSONS, REGISTRATION, respond

    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import ProgressStore
    from modbox.lessons.session import LessonSession
    from modbox.ui.learn_app import LearnApp
    from modbox.ui.widgets.dialogs import ConfirmScreen
    from modbox.ui.screens.lesson import LessonScreen
    from modbox.ui.widgets.lesson_prose import LessonProse

    # the learner left the lesson at its task with the solution typed in
    session = LessonSession(REGISTRATION, ProgressStore())
    session.answer("q-early", "error", 2)
    session.answer("q-tensor", "zero", 2)
    session.draft = REGISTRATION.solution
    while session.step.id != "fix":
        session.next()
    sandbox = HeldBackSandbox(respond)
    app = LearnApp(load_catalog(LESSONS), ProgressStore(), "registration", sandbox_factory=lambda: sandbox)

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), what="the lesson")
            lesson = app.screen
            await wait_for(pilot, lambda: lesson.workspace.running, what="the draft's run to be asked for")
            lesson.query_one(LessonProse).focus()
            await pilot.press("x")  # reset the lesson, while the solution's run waits for the worker
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
            await pilot.click("#yes")
            await wait_for(pilot, lambda: app.screen is lesson, what="the lesson again")
            assert lesson.workspace.source == REGISTRATION.starter
            sandbox.release.set()
            await wait_for(pilot, lambda: app.engine.state == "ready", what="the worker")
            await wait_for(pilot, lambda: not waiting_runs(app), what="the run workers")
            # the solution's run, asked for before the reset, neither shows nor counts
            assert lesson.workspace.last_report is None and lesson.checked_report is None
            assert app.store.get("registration").status == "new"
            assert not lesson.workspace.running

    asyncio.run(main())


def styles_of(screen) -> dict[int, dict]:
    return {id(node): dict(node.styles.base._rules) for node in screen.walk_children(with_self=True)}


@pytest.mark.parametrize("size", [(160, 50), (100, 30), (80, 24)])
def test_the_first_frame_is_styled_once_and_as_a_full_restyle_would_style_it(monkeypatch, size):
    # Textual restyles a whole screen when it is resumed, and a class set at the first resize
    # restyles it again; NarrowLayout skips both on the way to the first frame. Every widget
    # was styled as it was mounted: a full restyle then must change nothing.
    from textual.css.stylesheet import Stylesheet

    restyled = []
    update_nodes = Stylesheet.update_nodes

    def counted(self, nodes, animate=False):
        nodes = list(nodes)
        restyled.append(len(nodes))
        update_nodes(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counted)
    at_first_frame = {}

    class Recording(ModboxApp):
        def on_ready(self) -> None:  # Textual: "the first frame has been displayed"
            at_first_frame["restyled"] = list(restyled)
            at_first_frame["styles"] = styles_of(self.screen)
            self.screen.update_node_styles(animate=False)
            at_first_frame["restyle changed"] = styles_of(self.screen) != at_first_frame["styles"]
            super().on_ready()

    app = Recording(sandbox_factory=lambda: ScriptedSandbox(report_from_source))

    async def scenario(pilot):
        assert not at_first_frame["restyle changed"]
        # nothing restyled the whole screen (about 40 widgets) before the first frame
        assert all(count < 10 for count in at_first_frame["restyled"]), at_first_frame["restyled"]

    drive(app, scenario, size=size)


def test_the_worker_starts_at_once_with_a_cpu_free_for_it_else_at_the_first_frame(monkeypatch):
    from modbox.ui import launch

    started = []
    monkeypatch.setattr(launch, "start_worker", lambda reads: started.append(reads) or (lambda: "sandbox"))
    for free, at_once in ((0, False), (1, False), (2, True), (7, True)):
        started.clear()
        monkeypatch.setattr(launch, "free_cpus", lambda: free)
        factory = launch.worker_for_app(["data"])
        assert started == ([["data"]] if at_once else []), free
        assert factory() == "sandbox" and started == [["data"]]  # the app's first frame calls it


@pytest.mark.parametrize("running, free", [(1, 2), (2, 1), (3, 0), (9, 0)])
def test_free_cpus_counts_the_cpus_nothing_else_runs_on(tmp_path, monkeypatch, running, free):
    from modbox.ui import launch

    monkeypatch.setattr(launch.os, "sched_getaffinity", lambda pid: {0, 1})
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"0.52 0.58 0.59 {running}/312 4242\n")  # this process is one of them
    assert launch.free_cpus(str(loadavg)) == free
    loadavg.write_text("garbled")
    assert launch.free_cpus(str(loadavg)) == 2  # cannot tell: as if all were free
    assert launch.free_cpus(str(tmp_path / "missing")) == 2


def test_a_pane_key_pressed_before_the_other_panes_are_mounted_shows_that_pane(monkeypatch):
    let_mount = hidden_parts_mounted_when_set(monkeypatch)
    app = ModboxApp(sandbox_factory=lambda: ScriptedSandbox(report_from_source))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            ws = app.workspace
            ws.show_pane("hooks")  # as alt+4 does; the hooks pane is not mounted yet
            assert ws.active_pane == "hooks" and composed_panes(ws) == ["modules"]
            let_mount.set()
            await wait_for(pilot, lambda: len(composed_panes(ws)) == len(PANES), what="the panes")
            shown = [p.id for p in ws.query_one("#panes").children if p.display]
            assert shown == ["hooks"]

    asyncio.run(main())
