"""The Workspace: the code editor, the panes that show what nn.Module registered, and a status line.

It is the one reusable piece of the app: play mode is a screen around a Workspace, and the lesson
player embeds one too. Public API:

    ws = Workspace(engine, source="", filename="main.py", live=True,
                   limits=None, timeout=None, live_timeout=2.0)
    ws.source                 # the buffer (get); ws.source = text or ws.set_source(text) replaces it
    ws.run_now()              # run the buffer now (ctrl+r / F5)
    ws.forget_runs()          # cancel the runs asked for so far; their reports never show
    ws.live                   # re-run ~300 ms after typing stops, with ``live_timeout`` (reactive)
    ws.limits, ws.timeout     # passed to the sandbox for every run (None: the sandbox's defaults)
    ws.last_report            # the newest Report, failing or not (None before the first)
    ws.good_report            # the newest Report that ran to the end
    ws.shown_report           # what the panes show: the newest run's, failed or not, unless the
                              # learner switched to the last good one (alt+g, show_good_report)
    ws.selected_model         # name of the model shown (``model`` first when there are several)
    ws.show_pane("hooks")     # one of PANES
    ws.status_line            # the StatusLine (``say`` shows a screen's word there)
    Workspace.ReportArrived   # posted for every finished run: .report, .live, .stale

The Workspace lays out the editor and the panes and draws the panes from the reports. Its parts do
the rest: ``RunController`` (run_controller.py) asks the engine for runs, streams them and drops
superseded ones, ``StatusLine`` (widgets/status_line.py) says where they stand, and
``QuietCollector`` (collector.py) keeps the garbage collector off big reports.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Select, Static, TextArea

from modbox import formatting as fmt
from modbox.report import Event, Model, Report, memory_expression, memory_from
from modbox.ui.changes import describe_change
from modbox.ui.collector import QuietCollector, report_size
from modbox.ui.engine import Engine
from modbox.ui.run_controller import RunController
from modbox.ui.widgets.editor import CodeEditor
from modbox.ui.widgets.modules_pane import ModulesPane
from modbox.ui.widgets.pane_tabs import PaneTabs
from modbox.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.widget import Widget

    from modbox.sandbox.limits import Limits
    from modbox.ui.widgets.findings_pane import FindingsPane
    from modbox.ui.widgets.hooks_pane import EventList, HooksPane
    from modbox.ui.widgets.output_pane import OutputPane
    from modbox.ui.widgets.parameters_pane import ParametersPane
    from modbox.ui.widgets.state_dict_pane import StateDictPane
    from modbox.ui.widgets.values_pane import ValuesPane

PANES = ("modules", "parameters", "state_dict", "hooks", "findings", "output", "values")
FIRST_PANE = "modules"  # composed with the Workspace; the others are mounted after the first frame
PANE_TITLES = {
    "modules": "Modules",
    "parameters": "Parameters",
    "state_dict": "state_dict",
    "hooks": "Hooks",
    "findings": "Findings",
    "output": "Output",
    "values": "Values",
}


def hidden_panes() -> dict[str, Widget]:
    """New widgets for the panes behind the other tabs. Their modules are imported here, just
    after the first frame: the first frame needs none of them (nor DataTable or Sparkline)."""
    from modbox.ui.widgets.findings_pane import FindingsPane
    from modbox.ui.widgets.hooks_pane import HooksPane
    from modbox.ui.widgets.output_pane import OutputPane
    from modbox.ui.widgets.parameters_pane import ParametersPane
    from modbox.ui.widgets.state_dict_pane import StateDictPane
    from modbox.ui.widgets.values_pane import ValuesPane

    return {"parameters": ParametersPane(), "state_dict": StateDictPane(), "hooks": HooksPane(),
            "findings": FindingsPane(), "output": OutputPane(), "values": ValuesPane()}


class Workspace(Vertical):
    BINDINGS = [
        Binding("ctrl+r,f5", "run", "Run", id="workspace.run", priority=True),
        Binding("ctrl+l", "toggle_live", "Live", id="workspace.live"),
        Binding("f2", "next_pane", "Next pane", id="workspace.next_pane"),
        Binding("shift+f2", "next_pane(-1)", "Previous pane", show=False, id="workspace.previous_pane"),
        Binding("alt+1", "show_pane('modules')", "Modules", show=False, id="pane.modules"),
        Binding("alt+2", "show_pane('parameters')", "Parameters", show=False, id="pane.parameters"),
        Binding("alt+3", "show_pane('state_dict')", "state_dict", show=False, id="pane.state_dict"),
        Binding("alt+4", "show_pane('hooks')", "Hooks", show=False, id="pane.hooks"),
        Binding("alt+5", "show_pane('findings')", "Findings", show=False, id="pane.findings"),
        Binding("alt+6", "show_pane('output')", "Output", show=False, id="pane.output"),
        Binding("alt+7", "show_pane('values')", "Values", show=False, id="pane.values"),
        Binding("f4", "focus_editor", "Editor", show=False, id="workspace.editor"),
        Binding("alt+g", "toggle_good_report", "Last good run", id="workspace.last_good"),
    ]

    live: reactive[bool] = reactive(True, init=False)

    class ReportArrived(Message):
        """A run finished. ``stale`` is True when it failed (the panes show it, marked so)."""

        def __init__(self, workspace: Workspace, report: Report, live: bool):
            super().__init__()
            self.workspace = workspace
            self.report = report
            self.live = live
            self.stale = not report.ok

        @property
        def control(self) -> Workspace:
            return self.workspace

    def __init__(
        self,
        engine: Engine,
        source: str = "",
        *,
        filename: str = "main.py",
        live: bool = True,
        limits: Limits | None = None,
        timeout: float | None = None,
        live_timeout: float = 2.0,
        evaluate: list[str] | tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.engine = engine
        self.filename = filename
        self.evaluate = list(evaluate)  # expressions each run answers in Report.values
        self.memory_for: str | None = None  # the input a memory estimate is asked for
        self.set_reactive(Workspace.live, live)
        self.limits = limits
        self.timeout = timeout
        self.live_timeout = live_timeout
        self.last_report: Report | None = None
        self.good_report: Report | None = None
        self.selected_model: str | None = None
        self.showing_good = False  # the learner switched the panes from a failed run to the last good one
        self._initial_source = source
        self._dirty: set[str] = set()
        self._parts_mounted = asyncio.Event()
        self._runs = RunController(self, engine, self)
        self._collector = QuietCollector()

    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace-main"):
            yield CodeEditor(self._initial_source, id="editor")
            with Vertical(id="panes-side"):
                yield PaneTabs(PANE_TITLES, FIRST_PANE, id="pane-tabs")
                with Container(id="panes"):
                    yield ModulesPane(id=FIRST_PANE)
        yield StatusLine(self.engine, id="status-line")

    def on_mount(self) -> None:
        self._show_mode()
        self.call_after_refresh(self._mount_hidden_parts)
        if self.live and self._initial_source.strip():
            self.run_now()

    async def _mount_hidden_parts(self) -> None:
        """Mount what the first frame does not show: the panes behind the other tabs, the model
        picker (shown when a file builds several models) and the failed-run banner. Composed
        with the rest, their widgets, styles and imports made the first frame wait for what
        it does not show. Runs wait for them (``ready``), so every report reaches every pane."""
        if not self.is_attached:
            return  # its screen closed before the first frame went out
        picker = Select[str]([], prompt="model", allow_blank=True, id="model-select")
        banner = Static(id="stale-banner")
        picker.display = banner.display = False
        with self.app.batch_update():
            mounting = [self.query_one("#panes-side").mount(picker, banner, before=0)]
            panes = hidden_panes()
            for name, pane in panes.items():  # a pane key pressed before now showed its tab
                pane.id, pane.display = name, name == self.active_pane
            mounting.append(self.query_one("#panes").mount_all(panes.values()))
        for mounted in mounting:
            await mounted
        self._parts_mounted.set()

    async def ready(self) -> None:
        """Return once every pane is mounted (RunController waits for it before a run)."""
        await self._parts_mounted.wait()

    # ------------------------------------------------------------------ public API

    @property
    def editor(self) -> CodeEditor:
        return self.query_one(CodeEditor)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def running(self) -> bool:
        """Whether a run asked for has not answered yet (waiting for the worker, or in flight)."""
        return self._runs.running

    @property
    def source(self) -> str:
        return self.editor.text

    @source.setter
    def source(self, text: str) -> None:
        self.set_source(text)

    def set_source(self, text: str) -> None:
        """Replace the buffer (undo history starts afresh) and, in live mode, run it."""
        self.editor.load_text(text)

    def run_now(self, *, live: bool = False) -> None:
        """Run the buffer. A run asked for before the worker is ready starts the moment it is (the
        newest one, when several were asked for)."""
        self._runs.run(self.source, live=live, filename=self.filename,
                       timeout=self.live_timeout if live else self.timeout, limits=self.limits,
                       evaluate=self._expressions())

    def _expressions(self) -> list[str]:
        if self.memory_for is None:
            return self.evaluate
        return [*self.evaluate, memory_expression(self.memory_for, self.selected_model)]

    async def run_settled(self) -> None:
        """Return once the last run asked for has its answer, at once when none is in flight:
        a lesson's side runs go after the draft's run instead of replacing it."""
        await self._runs.settled()

    def forget_runs(self) -> None:
        """Cancel the runs asked for so far, queued or in flight: the buffer they ran is gone (a
        reset lesson), so their reports must never be shown or checked."""
        self._runs.forget()
        self.status_line.runs_dropped()

    def show_pane(self, name: str) -> None:
        self.query_one(PaneTabs).active = name
        self._show(name)

    def _show(self, name: str) -> None:
        for pane in self.query_one("#panes").children:
            pane.display = pane.id == name
        self._render_pane(name)

    @property
    def active_pane(self) -> str:
        return self.query_one(PaneTabs).active

    @property
    def shown_report(self) -> Report | None:
        """What the panes show: the newest run's report, a failed one too (the model as built,
        its findings, the events up to the error), or the last good one when the learner
        switched to it."""
        if self.showing_good and self.good_report is not None:
            return self.good_report
        return self.last_report

    def model(self) -> Model | None:
        """The model the panes show."""
        report = self.shown_report
        if report is None:
            return None
        return report.model(self.selected_model) or report.model()

    def show_good_report(self, good: bool) -> None:
        """Show the last good run (True) or the newest, failed one (False) in the panes."""
        if self.last_report is None or self.last_report.ok or self.good_report is None:
            return
        self.showing_good = good
        self._choose_model(self.shown_report)
        self._dirty = set(PANES)
        self._render_pane(self.active_pane)
        self._show_stale(self.last_report)

    # ------------------------------------------------------------------ what the runs tell

    def run_started(self, live: bool) -> None:
        self.status_line.run_started()

    def events_streamed(self, events: list[Event], first: bool) -> None:
        hooks = self._pane("hooks")
        if first:
            hooks.reset([])
        hooks.extend(events)
        self._collector.follow(self._runs.streamed)

    def output_streamed(self, stdout: str, stderr: str) -> None:
        self._pane("output").show_live(stdout, stderr)

    def run_failed(self, message: str) -> None:
        self.status_line.run_failed(message)

    def run_finished(self, report: Report, live: bool) -> None:
        self._show_report(report, live)

    def _show_report(self, report: Report, live: bool) -> None:
        previous = self.model() if not self.showing_good else None
        self.last_report = report
        self.showing_good = False
        self._pane("output").show_report(report)
        self.editor.error_line = None if report.ok else report.error.line if report.error else None
        if report.ok:
            self.good_report = report
        # the panes show this run, failed or not: a failed run's model as built, its findings and
        # its events up to the error are what explain the failure
        self._choose_model(report)
        self._dirty = set(PANES) - {"output"}
        streamed = self._runs.streamed
        if streamed and streamed == len(report.events):
            self._dirty.discard("hooks")
            hooks = self._pane("hooks")
            hooks.total, hooks.dropped = report.events_total, report.events_dropped
        self._render_pane(self.active_pane)
        if report.ok:
            self.status_line.show_change(describe_change(previous, self.model()))
        self._show_stale(report)
        self.refresh_bindings()
        self.status_line.run_ended(report)
        self._collector.follow(report_size(self.good_report or report))
        self.post_message(self.ReportArrived(self, report, live))

    def _choose_model(self, report: Report) -> None:
        names = [m.name for m in report.models]
        names.sort(key=lambda n: n != "model")
        select = self.query_one("#model-select", Select)
        if self.selected_model not in names:
            self.selected_model = names[0] if names else None
        select.display = len(names) > 1
        with self.prevent(Select.Changed):
            select.set_options((n, n) for n in names)
            if self.selected_model is not None:
                select.value = self.selected_model

    def _show_stale(self, report: Report) -> None:
        """The banner over the panes when the newest run failed: they show it (marked as from a
        failed run), or the last good run the learner switched to (marked stale)."""
        banner = self.query_one("#stale-banner", Static)
        banner.display = not report.ok
        self.query_one("#panes").set_class(self.showing_good, "-stale")
        self.query_one("#panes").set_class(not report.ok and not self.showing_good, "-failed")
        if report.ok:
            return
        err = report.error
        what = fmt.at_line(err.kind if err else "error", err.line if err else None)
        if self.showing_good:
            text = Text(f"Stale: the last good run. The latest run failed ({what}).", style="bold")
            text.append(" alt+g: back to the failed run.")
        else:
            text = Text(f"From the failed run ({what}): the model as built and the events up to "
                        "the error; Output has the message.", style="bold")
            if self.good_report is not None:
                text.append(" alt+g: the last good run.")
        banner.update(text)

    # ------------------------------------------------------------------ panes

    def _pane(self, name: str) -> Widget:
        """The widget of pane ``name``, one of PANES."""
        return self.query_one(f"#panes > #{name}")

    def _render_pane(self, name: str) -> None:
        """Panes are drawn when shown, so a huge report costs only what is on screen."""
        if name not in self._dirty:
            return
        self._dirty.discard(name)
        model, report = self.model(), self.shown_report
        if name == "modules":
            self._pane("modules").show_model(model)
        elif name == "parameters":
            pane = self._pane("parameters")
            pane.show_model(model)
            pane.show_memory(None if self.memory_for is None or self.last_report is None else
                             memory_from(self.last_report, self.memory_for, self.selected_model))
        elif name == "state_dict":
            self._pane("state_dict").show_model(model)
        elif name == "hooks" and report is not None:
            self._pane("hooks").reset(report.events, report.events_total, report.events_dropped)
        elif name == "findings":
            self._pane("findings").show_report(report)
        elif name == "values":
            self._pane("values").show_model(model)

    def on_pane_tabs_activated(self, event: PaneTabs.Activated) -> None:
        self._show(event.pane)

    @on(Select.Changed, "#model-select")
    def _model_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.selected_model:
            self.selected_model = event.value
            self._dirty |= {"modules", "parameters", "state_dict", "values"}
            self._render_pane(self.active_pane)

    def on_parameters_pane_memory_asked(self, event: ParametersPane.MemoryAsked) -> None:
        """Each run from now on also works out the memory of a training step on that input."""
        self.memory_for = event.input or None
        self.run_now()

    def on_event_list_selected(self, event: EventList.Selected) -> None:
        if event.event.line:
            self.editor.go_to_line(event.event.line)

    def on_findings_pane_chosen(self, event: FindingsPane.Chosen) -> None:
        if event.line:
            self.editor.go_to_line(event.line)

    # ------------------------------------------------------------------ live mode and status

    @on(CodeEditor.HighlightingMissing)
    def _highlighting_missing(self) -> None:
        self._show_mode()

    @on(TextArea.Changed, "#editor")
    def _typed(self, event: TextArea.Changed) -> None:
        if self.live:
            self._runs.after_typing(lambda: self.run_now(live=True))

    def watch_live(self, live: bool) -> None:
        self._show_mode()
        if live:
            self.run_now(live=True)

    def _show_mode(self) -> None:
        self.status_line.show_mode(live=self.live, highlighting_missing=self.editor.highlighting_missing)

    # ------------------------------------------------------------------ actions

    def action_run(self) -> None:
        self.run_now()

    def action_toggle_live(self) -> None:
        self.live = not self.live
        self.app.notify("Live mode on: runs after you stop typing." if self.live else "Live mode off: ctrl+r runs.")

    def action_next_pane(self, step: int = 1) -> None:
        i = PANES.index(self.active_pane)
        self.show_pane(PANES[(i + step) % len(PANES)])

    def action_show_pane(self, name: str) -> None:
        self.show_pane(name)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "toggle_good_report":  # only after a failed run, with a good one to show
            return self.last_report is not None and not self.last_report.ok and self.good_report is not None
        return True

    def action_toggle_good_report(self) -> None:
        self.show_good_report(not self.showing_good)
