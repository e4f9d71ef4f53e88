"""The Parameters pane: every parameter in a sortable table, with torchinfo's totals underneath."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from modbox import formatting as fmt
from modbox import presentation
from modbox.report import Model, ParameterRow

COLUMNS = ("name", "shape", "numel", "dtype", "device", "requires_grad", "grad", "tied to")

_SORT_KEYS = {
    "name": lambda p: p.name,
    "shape": lambda p: (len(p.shape), p.shape),
    "numel": lambda p: p.numel,
    "dtype": lambda p: p.dtype,
    "device": lambda p: p.device,
    "requires_grad": lambda p: p.requires_grad,
    "grad": lambda p: p.has_grad,
    "tied to": lambda p: p.tied_to,
}


def totals(model: Model) -> Text:
    """torchinfo's footer, the same lines ``modbox inspect`` prints. Tied tensors count once."""
    lines = presentation.totals(model)
    text = Text(lines[0], style="bold")
    for line in lines[1:]:
        text.append("\n" + line, style="yellow" if "lazy" in line else "")
    return text


class ParametersPane(Vertical):
    """``s`` sorts by the next column, ``S`` reverses; clicking a header sorts by it."""

    BINDINGS = [
        Binding("s", "sort_next", "Sort", id="parameters.sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="parameters.reverse"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows: list[ParameterRow] = []
        self.sort_column = "name"
        self.sort_reverse = False
        self._model_order: list[ParameterRow] = []

    def compose(self) -> ComposeResult:
        table = DataTable(id="parameters-table", zebra_stripes=True, cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table
        yield Static(id="parameters-totals")

    def show_model(self, model: Model | None) -> None:
        self._model_order = list(model.parameters) if model else []
        self.sort_column, self.sort_reverse = "name", False
        self.rows = list(self._model_order)
        self._fill()
        self.query_one("#parameters-totals", Static).update(
            totals(model) if model else Text("no model yet", style="dim")
        )

    def sort_by(self, column: str, reverse: bool = False) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self.rows = sorted(self._model_order, key=_SORT_KEYS[column], reverse=reverse)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for p in self.rows:
            table.add_row(
                p.name,
                fmt.shape(p.shape),
                Text(fmt.count(p.numel) if not p.lazy else "lazy", justify="right"),
                p.dtype,
                p.device,
                Text("yes" if p.requires_grad else "no", style="" if p.requires_grad else "yellow"),
                "yes" if p.has_grad else fmt.NONE,
                Text(", ".join(p.tied_to), style="yellow"),
                key=p.name,
            )

    def action_sort_next(self) -> None:
        self.sort_by(COLUMNS[(COLUMNS.index(self.sort_column) + 1) % len(COLUMNS)])

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = COLUMNS[event.column_index]
        self.sort_by(column, reverse=column == self.sort_column and not self.sort_reverse)
