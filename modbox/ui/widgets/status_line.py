"""The Workspace's status line: the run (waiting, running, done, failed), what the last run changed,
and the mode (live, the sandbox tier, missing syntax highlighting).

It is told what happened, it never asks: the engine calls it when the sandbox's state changes,
the Workspace when a run starts, streams or ends. While a run is in flight the line redraws its
clock ten times a second (``auto_refresh``); nothing else is redrawn on a timer.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from modbox import formatting as fmt
from modbox.report import Report
from modbox.ui.engine import Engine
from modbox.ui.widgets.output_pane import tier_text

CHANGE_SHOWN_FOR = 4.0  # seconds the "what changed" line stays
CLOCK_TICK = 0.1  # seconds between redraws of the elapsed time of a run in flight


class RunStatus(Widget):
    """The left part: one line saying where the newest run stands, from what it was told."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.engine_state = "idle"  # Engine.state, as of the engine's last change
        self.engine_failure = ""
        self.started_at: float | None = None  # the run in flight, None when there is none
        self.last_report: Report | None = None
        self.failure = ""  # the sandbox failed the newest run (it was not the learner's program)
        self.message: Text | None = None  # said by the screen; stands until the next change

    def render(self) -> Text:
        if self.message is not None:
            return self.message
        state = self.engine_state
        if state == "failed":  # nothing runs, a run asked for included
            return Text(self.engine_failure, style="bold red")
        if self.started_at is not None:
            elapsed = time.monotonic() - self.started_at
            if state in ("idle", "starting"):
                return Text(f"waiting for the worker to start… your run starts when it is ready "
                            f"({elapsed:.1f} s)", style="yellow")
            return Text(f"running… {elapsed * 1000:.0f} ms", style="yellow")
        if self.failure:
            return Text(f"sandbox: {self.failure}", style="bold red")
        r = self.last_report
        if r is not None:
            if r.ok:
                return Text(f"done in {r.timing.run:.0f} ms", style="green")
            if r.error is None:
                return Text("the run failed", style="bold red")
            text = Text.assemble((f"{r.error.kind}: ", "bold red"))
            first = r.error.message.splitlines()[0] if r.error.message else ""
            text.append(fmt.at_line(first, r.error.line), style="red")
            return text
        if state in ("idle", "starting"):
            return Text("starting the worker…", style="yellow")
        return Text("ready: ctrl+r runs the file", style="dim")

    def changed(self) -> None:
        self.message = None
        self.auto_refresh = CLOCK_TICK if self.started_at is not None else None
        self.refresh(layout=True)  # a long error takes more lines than the line before it


class StatusLine(Horizontal):
    """``run_started`` / ``run_ended`` / ``run_failed`` / ``runs_dropped`` from the Workspace,
    ``say`` from a screen, ``show_change`` for what the last good run changed, ``show_mode``."""

    def __init__(self, engine: Engine, **kwargs):
        super().__init__(**kwargs)
        self.engine = engine
        self._live = False
        self._highlighting_missing = False
        self._change_timer = None
        self._mode: Text | None = None

    def compose(self) -> ComposeResult:
        yield RunStatus(id="status-main")
        yield Static(id="status-change")
        yield Static(id="status-mode")

    def on_mount(self) -> None:
        self.engine.subscribe(self._engine_changed)
        self._engine_changed()

    def on_unmount(self) -> None:
        self.engine.unsubscribe(self._engine_changed)

    @property
    def _run(self) -> RunStatus:
        return self.query_one(RunStatus)

    def _engine_changed(self) -> None:
        run = self._run
        run.engine_state, run.engine_failure = self.engine.state, self.engine.failure
        run.changed()
        self._draw_mode()

    def run_started(self) -> None:
        run = self._run
        run.started_at, run.failure = time.monotonic(), ""
        run.changed()

    def run_ended(self, report: Report) -> None:
        run = self._run
        run.started_at, run.last_report = None, report
        run.changed()
        self._draw_mode()

    def run_failed(self, message: str) -> None:
        """The sandbox could not give the run an answer (the learner's errors come in a Report)."""
        run = self._run
        run.started_at, run.failure = None, message
        run.changed()

    def runs_dropped(self) -> None:
        self._run.started_at = None
        self._run.changed()

    def say(self, text: Text) -> None:
        """Show ``text`` until the next change (a run, the worker getting ready, ``show_state``)."""
        run = self._run
        run.message = text
        run.refresh(layout=True)

    def show_state(self) -> None:
        """Drop what ``say`` said: show where the runs stand."""
        self._run.changed()

    def show_change(self, change: str) -> None:
        label = self.query_one("#status-change", Static)
        label.update(Text(change, style="bold yellow") if change else "")
        if self._change_timer is not None:
            self._change_timer.stop()
        if change:
            self._change_timer = self.set_timer(CHANGE_SHOWN_FOR, lambda: label.update(""))

    def show_mode(self, *, live: bool, highlighting_missing: bool) -> None:
        self._live, self._highlighting_missing = live, highlighting_missing
        self._draw_mode()

    def _draw_mode(self) -> None:
        mode = Text()
        if self._highlighting_missing:
            mode.append("no highlighting (pip install 'textual[syntax]') ", style="yellow")
        mode.append("live " if self._live else "", style="bold green")
        last = self._run.last_report
        tier = self.engine.tier or (last.sandbox if last else "")
        if tier:
            mode.append_text(tier_text(tier))
        if mode != self._mode:
            self._mode = mode
            self.query_one("#status-mode", Static).update(mode)
