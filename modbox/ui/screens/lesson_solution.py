"""The reference solution beside the learner's own code, both read-only."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, TextArea

from modbox.ui.widgets.footer import Footer


class SolutionScreen(Screen):
    BINDINGS = [Binding("escape,s,alt+s", "close", "Back to the lesson", id="solution.close")]

    def __init__(self, title: str, mine: str, solution: str):
        super().__init__()
        self.title_text, self.mine, self.solution = title, mine, solution

    def compose(self) -> ComposeResult:
        yield Label(f"{self.title_text}: your code and the reference solution (read-only). "
                    "Several fixes can be right: the checks decide.", id="solution-title")
        with Horizontal(id="solution-columns"):
            for label, text, widget_id in (("Your code", self.mine, "solution-mine"),
                                           ("Reference solution", self.solution, "solution-reference")):
                with Vertical(classes="solution-column"):
                    yield Label(label, classes="solution-label")
                    yield TextArea.code_editor(text, language="python", read_only=True, id=widget_id)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#solution-reference").focus()

    def action_close(self) -> None:
        self.dismiss(None)
