"""The file picker: browse for a Python file, or type its path."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label

from modbox.ui.narrow import NARROW_BREAKPOINTS


class PythonFiles(DirectoryTree):
    """Folders and .py files; hidden entries left out."""

    def filter_paths(self, paths):
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".py")]


class OpenFileScreen(ModalScreen[Path | None]):
    HORIZONTAL_BREAKPOINTS = NARROW_BREAKPOINTS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="open.cancel")]

    def __init__(self, start: Path):
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label("Open a file: choose one below, or type a path and press enter",
                        classes="dialog-title")
            yield Input(placeholder="path/to/model.py", id="open-path")
            yield PythonFiles(self.start, id="open-tree")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss((self.start / Path(event.value.strip()).expanduser()).absolute())

    def action_cancel(self) -> None:
        self.dismiss(None)
