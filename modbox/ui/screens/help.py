"""The help screen (F1 or ?): every key, by where it works, with the learner's remappings applied."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from modbox.ui.keymap import keymap_path
from modbox.ui.narrow import NARROW_BREAKPOINTS

# TextArea's own keys that a programmer looks for (they have no ids, so they cannot be remapped).
EDITOR_BUILTINS = (
    ("ctrl+z / ctrl+y", "Undo / redo"),
    ("tab", "Indent (the selected lines)"),
    ("ctrl+c / ctrl+x / ctrl+v", "Copy / cut / paste"),
    ("f6 / f7", "Select line / select all"),
    ("ctrl+a / ctrl+e", "Start / end of line"),
    ("ctrl+k", "Delete to end of line"),
    ("tab / shift+tab (outside the editor)", "Move focus between panes"),
    ("mouse", "Click to focus, place the cursor, choose tabs; drag to select; ctrl+c copies"),
)


def key_table(sections: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> Table:
    """Two columns, the id under what the key does: a third column squeezed what keys do to
    "He…" at 80 columns."""
    table = Table(box=None, show_header=True, header_style="bold", expand=True)
    table.add_column("keys", style="bold cyan", max_width=24)
    table.add_column("does (and its id, for keymap.toml)")
    for title, bindings in sections:
        table.add_row(Text(title, style="bold underline"), "")
        seen = set()
        for b in bindings:
            if b.id in seen:
                continue
            seen.add(b.id)
            keys = keymap.get(b.id or "", b.key)
            does = Text(b.description or b.action)
            if b.id:
                does.append(f"  {b.id}", style="dim")
            table.add_row(keys.replace(",", " / "), does)
        if title == "Editor":
            for keys, does in EDITOR_BUILTINS:
                table.add_row(keys, does)
    return table


class HelpScreen(ModalScreen[None]):
    HORIZONTAL_BREAKPOINTS = NARROW_BREAKPOINTS
    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]], keymap: dict[str, str],
                 files_note: str = ""):
        super().__init__()
        self.sections = sections
        self.keymap = keymap
        self.files_note = files_note  # where the code on screen lives on disk

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog tall", id="help"):
            if self.files_note:
                yield Static(Text(self.files_note + "\n"))
            yield Static(Text("modbox keys", style="bold"))
            yield Static(key_table(self.sections, self.keymap))
            yield Static(
                Text(f"\nRemap any key with an id in {keymap_path()}, e.g.\n"
                     '  "workspace.run" = "ctrl+r,f5,ctrl+j"\n'
                     "Escape closes this screen.", style="dim")
            )

    def action_close(self) -> None:
        self.dismiss(None)
