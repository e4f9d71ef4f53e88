"""The Workspace: the code editor, the panes that show what nn.Module registered, and a status line.

It is the one reusable piece of the app: play mode is a screen around a Workspace, and the lesson
player embeds one too. Public API:

    ws = Workspace(engine, source="", filename="main.py", live=True,
                   limits=None, timeout=None, live_timeout=2.0)
    ws.source                 # the buffer (get); ws.source = text or ws.set_source(text) replaces it
    ws.run_now()              # run the buffer now (ctrl+r / F5)
    ws.live                   # re-run ~300 ms after typing stops, with ``live_timeout`` (reactive)
    ws.limits, ws.timeout     # passed to the sandbox for every run (None: the sandbox's defaults)
    ws.last_report            # the newest Report, failing or not (None before the first)
    ws.good_report            # the newest Report that ran to the end: what the panes show
    ws.selected_model         # name of the model shown (``model`` first when there are several)
    ws.show_pane("hooks")     # one of PANES
    Workspace.ReportArrived   # posted for every finished run: .report, .live, .stale

Runs go through ``modbox.ui.engine.Engine``; a newer run supersedes the one in flight and only the
newest result is ever shown.
"""

from __future__ import annotations

import gc
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Select, Static, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerError

from modbox.report import Event, Model, Report
from modbox.ui.changes import describe_change
from modbox.ui.engine import Engine
from modbox.ui.widgets.editor import CodeEditor
from modbox.ui.widgets.findings_pane import FindingsPane
from modbox.ui.widgets.hooks_pane import EventList, HooksPane
from modbox.ui.widgets.modules_pane import ModulesPane
from modbox.ui.widgets.output_pane import OutputPane, tier_text
from modbox.ui.widgets.parameters_pane import ParametersPane
from modbox.ui.widgets.state_dict_pane import StateDictPane

PANES = ("modules", "parameters", "state_dict", "hooks", "findings", "output")
PANE_TITLES = {
    "modules": "Modules",
    "parameters": "Parameters",
    "state_dict": "state_dict",
    "hooks": "Hooks",
    "findings": "Findings",
    "output": "Output",
}
LIVE_DELAY = 0.3  # seconds of quiet typing before a live run
CHANGE_SHOWN_FOR = 4.0  # seconds the "what changed" line stays
BIG = 10_000  # events or modules in a report beyond which the cyclic collector is kept off them


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
        Binding("f4", "focus_editor", "Editor", show=False, id="workspace.editor"),
    ]

    live: reactive[bool] = reactive(True, init=False)

    class ReportArrived(Message):
        """A run finished. ``stale`` is True when it failed and the panes kept the last good report."""

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
        limits=None,
        timeout: float | None = None,
        live_timeout: float = 2.0,
        evaluate: list[str] | tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.engine = engine
        self.filename = filename
        self.evaluate = list(evaluate)  # expressions each run answers in Report.values
        self.set_reactive(Workspace.live, live)
        self.limits = limits
        self.timeout = timeout
        self.live_timeout = live_timeout
        self.last_report: Report | None = None
        self.good_report: Report | None = None
        self.selected_model: str | None = None
        self.running = False
        self._run_worker: Worker | None = None
        self._initial_source = source
        self._generation = 0
        self._run_started = 0.0
        self._streamed_seq = -1
        self._streamed = 0
        self._live_stdout = self._live_stderr = ""  # Progress carries only what is new
        self._dirty: set[str] = set()
        self._live_timer = None
        self._change_timer = None
        self._frozen = False
        self._last_mode: Text | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace-main"):
            yield CodeEditor(self._initial_source, id="editor")
            with Vertical(id="panes-side"):
                yield Select[str]([], prompt="model", allow_blank=True, id="model-select")
                yield Static(id="stale-banner")
                with TabbedContent(id="panes", initial="modules"):
                    with TabPane(PANE_TITLES["modules"], id="modules"):
                        yield ModulesPane()
                    with TabPane(PANE_TITLES["parameters"], id="parameters"):
                        yield ParametersPane()
                    with TabPane(PANE_TITLES["state_dict"], id="state_dict"):
                        yield StateDictPane()
                    with TabPane(PANE_TITLES["hooks"], id="hooks"):
                        yield HooksPane()
                    with TabPane(PANE_TITLES["findings"], id="findings"):
                        yield FindingsPane()
                    with TabPane(PANE_TITLES["output"], id="output"):
                        yield OutputPane()
        with Horizontal(id="status-line"):
            yield Static(id="status-main")
            yield Static(id="status-change")
            yield Static(id="status-mode")

    def on_mount(self) -> None:
        self.query_one("#model-select").display = False
        self.query_one("#stale-banner").display = False
        self._status_timer = self.set_interval(0.1, self._refresh_status)
        self._refresh_status()
        if self.live and self._initial_source.strip():
            self.run_now()

    # ------------------------------------------------------------------ public API

    @property
    def editor(self) -> CodeEditor:
        return self.query_one(CodeEditor)

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
        """Run the buffer. A run requested before the sandbox is ready waits for it."""
        if self._live_timer is not None:
            self._live_timer.stop()
            self._live_timer = None
        self._generation += 1
        self._run_worker = self._run(self._generation, self.source, live)

    async def run_settled(self) -> None:
        """Return once the last run asked for has its answer, at once when none is in flight:
        a lesson's side runs go after the draft's run instead of replacing it."""
        while (worker := self._run_worker) is not None and not worker.is_finished:
            try:
                await worker.wait()
            except WorkerError:
                pass  # superseded, or the sandbox failed: the status line says so

    def show_pane(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self._render_pane(name)

    @property
    def active_pane(self) -> str:
        return self.query_one(TabbedContent).active

    def model(self) -> Model | None:
        """The model the panes show, from the last good report."""
        if self.good_report is None:
            return None
        return self.good_report.model(self.selected_model) or self.good_report.model()

    # ------------------------------------------------------------------ running

    @work(group="workspace-run", exit_on_error=False)
    async def _run(self, generation: int, source: str, live: bool) -> None:
        self.running = True
        self._run_started = time.monotonic()
        self._streamed_seq, self._streamed = -1, 0
        self._live_stdout = self._live_stderr = ""
        self._status_timer.resume()
        self._refresh_status()
        try:
            report = await self.engine.run(
                source,
                filename=self.filename,
                timeout=self.live_timeout if live else self.timeout,
                limits=self.limits,
                on_progress=lambda progress: self._on_progress(generation, progress),
                evaluate=self.evaluate,
            )
        except Exception as exc:  # superseded, or the sandbox itself failed
            if generation == self._generation:
                self.running = False
                self._set_status(Text(f"sandbox: {exc}", style="bold red"))
            return
        if generation != self._generation:
            return
        self.running = False
        self._show_report(report, live)

    def _on_progress(self, generation: int, progress) -> None:
        if generation != self._generation:
            return
        hooks = self.query_one(HooksPane)
        if self._streamed == 0 and progress.events:
            hooks.reset([])
        fresh: list[Event] = [e for e in progress.events if e.seq > self._streamed_seq]
        if fresh:
            self._streamed_seq = fresh[-1].seq
            self._streamed += len(fresh)
            hooks.extend(fresh)
            self._quiet_collector(self._streamed > BIG)
        if progress.stdout or progress.stderr:
            self._live_stdout += progress.stdout
            self._live_stderr += progress.stderr
            self.query_one(OutputPane).show_live(self._live_stdout, self._live_stderr)

    def _show_report(self, report: Report, live: bool) -> None:
        self.last_report = report
        self.query_one(OutputPane).show_report(report)
        editor = self.editor
        if report.ok:
            previous = self.model()
            self.good_report = report
            editor.error_line = None
            self._choose_model(report)
            self._dirty = set(PANES) - {"output"}
            if self._streamed and self._streamed == len(report.events):
                self._dirty.discard("hooks")
                hooks = self.query_one(HooksPane)
                hooks.total, hooks.dropped = report.events_total, report.events_dropped
            self._render_pane(self.active_pane)
            self._show_change(describe_change(previous, self.model()))
        else:
            editor.error_line = report.error.line if report.error else None
            if self._streamed and self.good_report is not None:
                self._dirty.add("hooks")
                self._render_pane(self.active_pane)
        self._show_stale(report)
        self._refresh_status()
        shown = self.good_report or report
        self._quiet_collector(len(shown.events) + sum(len(m.modules) for m in shown.models) > BIG)
        self.post_message(self.ReportArrived(self, report, live))

    def _quiet_collector(self, big: bool) -> None:
        """Keep Python's full collections off a big report's objects.

        A full collection scans every live object: with 100k events alive that froze the UI for
        up to 440 ms here. ``gc.freeze`` moves what is alive now out of the collector's sight
        (reference counting still frees it when the report is dropped); once a small report has
        replaced the big one, ``gc.unfreeze`` hands everything back.
        """
        if big:
            gc.freeze()
            self._frozen = True
        elif self._frozen:
            gc.unfreeze()
            self._frozen = False

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
        banner = self.query_one("#stale-banner", Static)
        stale = not report.ok and self.good_report is not None
        banner.display = stale
        self.query_one("#panes").set_class(stale, "-stale")
        if stale:
            err = report.error
            where = f" at line {err.line}" if err and err.line else ""
            banner.update(
                Text(f"Stale: showing the last good run. The latest run failed ({err.kind if err else 'error'}"
                     f"{where}); see Output.", style="bold")
            )

    def _show_change(self, change: str) -> None:
        label = self.query_one("#status-change", Static)
        label.update(Text(change, style="bold yellow") if change else "")
        if self._change_timer is not None:
            self._change_timer.stop()
        if change:
            self._change_timer = self.set_timer(CHANGE_SHOWN_FOR, lambda: label.update(""))

    # ------------------------------------------------------------------ panes

    def _render_pane(self, name: str) -> None:
        """Panes are drawn when shown, so a huge report costs only what is on screen."""
        if name not in self._dirty:
            return
        self._dirty.discard(name)
        model, report = self.model(), self.good_report
        if name == "modules":
            self.query_one(ModulesPane).show_model(model)
        elif name == "parameters":
            self.query_one(ParametersPane).show_model(model)
        elif name == "state_dict":
            self.query_one(StateDictPane).show_model(model)
        elif name == "hooks" and report is not None:
            self.query_one(HooksPane).reset(report.events, report.events_total, report.events_dropped)
        elif name == "findings":
            self.query_one(FindingsPane).show_report(report)

    @on(TabbedContent.TabActivated, "#panes")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._render_pane(event.pane.id or "")

    @on(Select.Changed, "#model-select")
    def _model_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.selected_model:
            self.selected_model = event.value
            self._dirty |= {"modules", "parameters", "state_dict"}
            self._render_pane(self.active_pane)

    @on(EventList.Selected)
    def _event_chosen(self, event: EventList.Selected) -> None:
        if event.event.line:
            self.editor.go_to_line(event.event.line)

    @on(FindingsPane.Chosen)
    def _finding_chosen(self, event: FindingsPane.Chosen) -> None:
        if event.line:
            self.editor.go_to_line(event.line)

    # ------------------------------------------------------------------ live mode and status

    @on(CodeEditor.HighlightingMissing)
    def _highlighting_missing(self) -> None:
        self._refresh_status()

    @on(TextArea.Changed, "#editor")
    def _typed(self, event: TextArea.Changed) -> None:
        if not self.live:
            return
        if self._live_timer is not None:
            self._live_timer.stop()
        self._live_timer = self.set_timer(LIVE_DELAY, lambda: self.run_now(live=True))

    def watch_live(self, live: bool) -> None:
        self._refresh_status()
        if live:
            self.run_now(live=True)

    def _set_status(self, text: Text) -> None:
        # a fixed-size line: redrawing it must not re-lay-out the screen ten times a second
        self.query_one("#status-main", Static).update(text, layout=False)

    def _refresh_status(self) -> None:
        state = self.engine.state
        if self.running:
            elapsed = (time.monotonic() - self._run_started) * 1000
            if state in ("idle", "starting"):
                main = Text(f"waiting for the worker to start… {elapsed / 1000:.1f} s", style="yellow")
            else:
                main = Text(f"running… {elapsed:.0f} ms", style="yellow")
        elif state == "failed":
            main = Text(self.engine.failure, style="bold red")
        elif self.last_report is not None:
            r = self.last_report
            if r.ok:
                main = Text(f"done in {r.timing.run:.0f} ms", style="green")
            elif r.error is not None:
                main = Text.assemble((f"{r.error.kind}: ", "bold red"))
                main.append(r.error.message.splitlines()[0] if r.error.message else "", style="red")
                if r.error.line:
                    main.append(f" (line {r.error.line})", style="red")
            else:
                main = Text("the run failed", style="bold red")
        elif state in ("idle", "starting"):
            main = Text("starting the worker…", style="yellow")
        else:
            main = Text("ready: ctrl+r runs the file", style="dim")
        if not (self.running or state == "starting"):
            self._status_timer.pause()
        self._set_status(main)
        mode = Text()
        if self.editor.highlighting_missing:
            mode.append("no highlighting (pip install 'textual[syntax]') ", style="yellow")
        mode.append("live " if self.live else "", style="bold green")
        tier = self.engine.tier or (self.last_report.sandbox if self.last_report else "")
        if tier:
            mode.append_text(tier_text(tier))
        if mode != self._last_mode:
            self._last_mode = mode
            self.query_one("#status-mode", Static).update(mode)

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

    def action_focus_editor(self) -> None:
        self.editor.focus()
