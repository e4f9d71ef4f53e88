"""ModboxApp: themes, keys (remappable), help, the command palette, and the play screen."""

from __future__ import annotations

import asyncio

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen

from modbox.ui import collector
from modbox.ui.contrast import ContrastFilter
from modbox.ui.engine import Engine
from modbox.ui.keymap import load_keymap
from modbox.ui.narrow import NarrowLayout
from modbox.ui.widgets.dialogs import ConfirmScreen
from modbox.ui.settings import load_settings, save_setting
from modbox.ui.screens.play import PlayScreen
from modbox.ui.templates import TEMPLATES
from modbox.ui import textual_compat
from modbox.ui.widgets.editor import CodeEditor
from modbox.ui.workspace import PANE_TITLES, PANES, Workspace

if TYPE_CHECKING:
    from modbox.sandbox.host.api import SandboxConnection

DARK, LIGHT = "textual-dark", "textual-light"


class ModboxApp(textual_compat.RepaintAfterBatch):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "modbox"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.theme"),
        Binding("f9", "copy_report", "Copy report", show=False, id="app.copy_report"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        file: Path | str | None = None,
        *,
        sandbox_factory: Callable[[], SandboxConnection] | None = None,
        theme: str | None = None,
    ):
        super().__init__()
        textual_compat.read_escape_key_as_alt_key()
        self.file = Path(file) if file is not None else None
        self.engine = Engine(sandbox_factory)
        settings, self.settings_problem = load_settings()
        remembered = settings.get("theme")
        self.theme = theme or (remembered if remembered in (DARK, LIGHT) else DARK)
        self.keymap_problems: list[str] = []
        self._contrast = ContrastFilter()

    @staticmethod
    def binding_sections() -> list[tuple[str, list[Binding]]]:
        """Every remappable binding, grouped by where it works (the help screen shows these).

        One list for ``modbox play`` and ``modbox learn``: both read the same keymap.toml. The lesson
        screens and the panes behind the other tabs are imported here rather than at the top:
        ``modbox play`` needs them only for F1 and a keymap.toml before its first frame, and
        importing them is a good part of its start-up."""
        from modbox.ui.screens.lesson import LessonScreen
        from modbox.ui.screens.lesson_menu import ExperimentScreen, LessonMenuScreen
        from modbox.ui.screens.lesson_solution import SolutionScreen
        from modbox.ui.screens.prediction import PredictionScreen
        from modbox.ui.screens.review import ReviewScreen
        from modbox.ui.widgets.hooks_pane import EventList
        from modbox.ui.widgets.parameters_pane import ParametersPane

        return [
            ("Everywhere", list(ModboxApp.BINDINGS)),
            ("Play mode", list(PlayScreen.BINDINGS)),
            ("Play mode and lessons", list(NarrowLayout.BINDINGS)),
            ("Workspace", list(Workspace.BINDINGS)),
            ("Editor", list(CodeEditor.BINDINGS)),
            ("Parameters pane", list(ParametersPane.BINDINGS)),
            ("Hooks pane", [b for b in EventList.BINDINGS if isinstance(b, Binding) and b.id]),
            ("Lesson menu", list(LessonMenuScreen.BINDINGS)),
            ("Lesson", list(LessonScreen.BINDINGS)),
            ("Prediction", list(PredictionScreen.BINDINGS)),
            ("Solution", list(SolutionScreen.BINDINGS)),
            ("Review round", list(ReviewScreen.BINDINGS)),
            ("Experiment (from the menu)", list(ExperimentScreen.BINDINGS)),
        ]

    def get_line_filters(self) -> Sequence[LineFilter]:
        # NO_COLOR draws in greys (Textual's own filter): contrast there is black on white
        filters = super().get_line_filters()
        return filters if self.no_color else [*filters, self._contrast]

    def get_default_screen(self) -> Screen:
        """The screen the app opens on: play mode here.

        Textual composes this one with the app itself; pushing it from ``on_mount`` instead cost
        a blank default screen first, and about 15% more CPU before the first frame."""
        return PlayScreen(self.engine, self.file)

    def on_mount(self) -> None:
        textual_compat.ignore_cancelled_futures_at_exit(asyncio.get_running_loop())
        keymap, self.keymap_problems = load_keymap(self.bindings_by_id)
        if keymap:
            self.set_keymap(keymap)
        for problem in [*self.keymap_problems, self.settings_problem]:
            if problem:
                self.notify(problem, severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.open_screens_on_top()

    def open_screens_on_top(self) -> None:
        """Screens that open over the first one (none in play mode)."""

    def on_ready(self) -> None:
        # Textual: the first frame is on screen. Only now does the engine take the sandbox over
        # (`modbox play` and `learn` started its worker before Textual was imported; see Engine),
        # and the garbage collector, paused for start-up, runs again.
        collector.start_up_done()
        self.engine.start()

    def bindings_by_id(self) -> dict[str, Binding]:
        return {b.id: b for _, bs in self.binding_sections() for b in bs if b.id}

    async def on_event(self, event: events.Event) -> None:
        # A terminal's alt+key also carries its character ("alt+h" with "h"): the focused editor
        # or input would type it and the binding never run. Without it, it is a key like ctrl+s.
        if isinstance(event, events.Key) and "alt+" in event.key and event.character is not None:
            event = events.Key(event.key, None)
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.engine.close()

    @property
    def workspace(self) -> Workspace | None:
        found = self.screen.query(Workspace)
        return found.first() if found else None

    async def action_quit(self) -> None:
        """Quit; with unsaved changes in play mode, ask first (ctrl+q again quits anyway, the
        changes kept as a draft that the next launch offers back)."""
        unsaved = next((s for s in self.screen_stack if isinstance(s, PlayScreen) and s.modified), None)
        if unsaved is not None and not isinstance(self.screen, ConfirmScreen):
            unsaved.ask_before_quit(self.quit_now)
            return
        self.quit_now()

    def quit_now(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, PlayScreen):
                screen.flush_draft()
        self.exit()

    def action_help(self) -> None:
        from modbox.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_sections(), textual_compat.keymap(self),
                                        getattr(self.screen, "files_note", "")))

    def _remember_theme(self, theme) -> None:
        problem = save_setting("theme", theme.name)
        if problem:
            self.notify(problem, severity="warning")

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_copy_report(self) -> None:
        ws = self.workspace
        if ws is None or ws.last_report is None:
            self.notify("Nothing to copy yet: run the file first (ctrl+r).", severity="warning")
            return
        self.copy_to_clipboard(ws.last_report.to_json(indent=2))
        self.notify("Copied the report (JSON) to the clipboard.")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        ws = self.workspace
        play = next((s for s in reversed(self.screen_stack) if isinstance(s, PlayScreen)), None)
        if ws is not None:
            yield SystemCommand("Run", "Run the file now (ctrl+r)", ws.run_now)
            yield SystemCommand(
                "Live mode: turn " + ("off" if ws.live else "on"),
                "Re-run after each pause in typing", ws.action_toggle_live,
            )
            for pane in PANES:
                yield SystemCommand(
                    f"Pane: {PANE_TITLES[pane]}", f"Show the {PANE_TITLES[pane]} pane",
                    lambda pane=pane: ws.show_pane(pane),
                )
        if play is not None:
            yield SystemCommand("Save", "Save the file (ctrl+s)", play.action_save)
            yield SystemCommand("Open", "Open a file (ctrl+o)", play.action_open)
            yield SystemCommand("New from template", "Choose a template (ctrl+n)", play.action_new)
            for t in TEMPLATES:
                yield SystemCommand(
                    f"Template: {t.title}", t.about,
                    lambda t=t: play._switch(None, t.text, f"New buffer from the {t.title} template."),
                )
        yield SystemCommand("Copy report", "Copy the last report as JSON (F9)", self.action_copy_report)
        yield SystemCommand("Theme: dark", "Use the dark theme", lambda: setattr(self, "theme", DARK))
        yield SystemCommand("Theme: light", "Use the light theme", lambda: setattr(self, "theme", LIGHT))
        yield SystemCommand("Keys", "Every key, and how to remap them (F1)", self.action_help)
        yield SystemCommand("Quit", "Quit modbox (ctrl+q)", self.action_quit)
