"""The state_dict pane: what ``state_dict()`` saves, and where it differs from parameters() and buffers()."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from modbox.report import Model
from modbox import formatting as fmt


def state_dict_rows(model: Model) -> list[tuple[str, str, str, str]]:
    """(key, shape, what it is, note) for each state_dict key, then the tensors it leaves out.

    ``note`` is "" for an ordinary entry, "tied" for a second name of a shared tensor, and
    "missing" for a registered tensor that state_dict() does not save (a non-persistent buffer).
    """
    params = {p.name: p for p in model.parameters}
    aliases = {alias: p.name for p in model.parameters for alias in p.tied_to}
    buffers = {b.name: b for b in model.buffers}
    rows = []
    for key in model.state_dict_keys:
        shape = fmt.shape(model.state_dict_shapes.get(key))
        if key in params:
            rows.append((key, shape, "parameter", ""))
        elif key in aliases:
            rows.append((key, shape, f"same tensor as {aliases[key]}", "tied"))
        elif key in buffers:
            rows.append((key, shape, "buffer", ""))
        else:
            rows.append((key, shape, "extra state", ""))
    saved = set(model.state_dict_keys)
    for name, p in params.items():
        if name not in saved:
            rows.append((name, fmt.shape(p.shape), "parameter, not in state_dict", "missing"))
    for name, b in buffers.items():
        if name not in saved:
            why = "buffer with persistent=False" if not b.persistent else "buffer, not in state_dict"
            rows.append((name, fmt.shape(b.shape), f"{why}: not saved", "missing"))
    return rows


class StateDictPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(id="state-dict-summary")
        table = DataTable(id="state-dict-table", zebra_stripes=True, cursor_type="row")
        table.add_columns("key", "shape", "what it is")
        yield table

    def show_model(self, model: Model | None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        summary = self.query_one("#state-dict-summary", Static)
        if model is None:
            summary.update(Text("no model yet", style="dim"))
            return
        rows = state_dict_rows(model)
        tied = sum(1 for r in rows if r[3] == "tied")
        missing = sum(1 for r in rows if r[3] == "missing")
        text = Text.assemble((f"{len(model.state_dict_keys)} keys in state_dict()", "bold"))
        text.append(f"  ·  {len(model.parameters)} parameters, {len(model.buffers)} buffers registered")
        if tied:
            text.append(f"\n{tied} key(s) name a tensor saved under another name too (tied weights)", style="yellow")
        if missing:
            text.append(f"\n{missing} registered tensor(s) not saved by state_dict()", style="yellow")
        summary.update(text)
        for key, shape, what, note in rows:
            style = {"tied": "yellow", "missing": "yellow italic"}.get(note, "")
            table.add_row(Text(key, style=style), shape, Text(what, style=style), key=f"{note}:{key}")
