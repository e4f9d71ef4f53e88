"""Choose a template to start a new buffer from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from modbox.ui.templates import TEMPLATES


class TemplateScreen(ModalScreen[str | None]):
    """Dismisses with the chosen template's id, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="templates.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New from a template", classes="dialog-title")
            yield OptionList(
                *(
                    Option(Text.assemble((t.title, "bold"), "\n  ", (t.about, "dim")), id=t.id)
                    for t in TEMPLATES
                ),
                id="template-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
