"""The Values pane: what flowed through each module over the run, as a table with a trend per
row, and for the selected module its outputs' spread over the calls, its weight's gradient
norm over the backward passes, and a histogram of its latest output (``w``: of its weight)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Sparkline, Static

from modbox.presentation import faults, number, trend
from modbox.report import Histogram, Model, ModuleValues, ParameterValues

COLUMNS = ("module", "calls", "grad norm", "std", "std trend", "zeros", "NaN/Inf", "mean", "min", "max")
TREND = 10  # blocks of a row's trend


def weight_of(model: Model, path: str) -> ParameterValues | None:
    """The module's ``weight`` (else its first parameter) in ``model.grads``."""
    prefix = f"{path}." if path else ""
    own = [g for g in model.grads if g.name.startswith(prefix) and "." not in g.name[len(prefix):]]
    return next((g for g in own if g.name.endswith("weight")), own[0] if own else None)


def histogram_label(h: Histogram | None, what: str) -> Text:
    if h is None:
        return Text(f"no {what} to show", style="dim")
    return Text.assemble((f"{what}: ", "bold"), f"{sum(h.counts):,} values from {h.lo:.3g} to {h.hi:.3g}")


class ValuesPane(Vertical):
    """``w`` switches the histogram between the module's output and its weight."""

    BINDINGS = [Binding("w", "toggle_histogram", "Outputs/weights", id="values.histogram")]
    DEFAULT_CSS = """
    ValuesPane #values-table { height: auto; max-height: 60%; }
    ValuesPane #values-detail { height: auto; padding: 1 0 0 0; }
    ValuesPane Sparkline { height: 3; margin-bottom: 1; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.model: Model | None = None
        self.rows: list[ModuleValues] = []
        self.selected: ModuleValues | None = None
        self.show_weights = False

    def compose(self) -> ComposeResult:
        table = DataTable(id="values-table", zebra_stripes=True, cursor_type="row")
        table.add_columns(*COLUMNS)
        yield table
        with Vertical(id="values-detail"):
            yield Static(id="values-title")
            yield Static(id="values-spread-label")
            yield Sparkline([], id="values-spread")
            yield Static(id="values-grad-label")
            yield Sparkline([], id="values-grad")
            yield Static(id="values-histogram-label")
            yield Sparkline([], id="values-histogram")

    def show_model(self, model: Model | None) -> None:
        self.model = model
        order = {row.path: i for i, row in enumerate(model.modules)} if model else {}
        self.rows = sorted(model.values, key=lambda v: order.get(v.path, len(order))) if model else []
        marks = faults(model) if model else {}
        table = self.query_one(DataTable)
        table.clear()
        for v in self.rows:
            last = v.outputs[-1] if v.outputs else None
            bad = (last.nan + last.inf) if last else 0
            weight = weight_of(model, v.path)
            norms = [n.norm for n in weight.grad_norms] if weight else []
            name = Text(f"{model.name}.{v.path}" if v.path else model.name)
            name.append(f" {v.cls}", style="dim")
            if v.path in marks:
                name = Text.assemble(("✗ ", "bold red"), name, (f" {marks[v.path]}", "bold red"))
            table.add_row(
                name,
                Text(f"{v.calls:,}", justify="right"),
                Text(f"{number(norms[-1]) if norms else '--'} {trend(norms, TREND)}", style="cyan"),
                number(last.std if last else None),
                Text(trend([p.std for p in v.outputs], TREND), style="green"),
                Text(f"{last.zeros:.0%}" if last else "--",
                     style="yellow" if last and last.zeros >= 0.99 else ""),
                Text(f"{bad:,}" if last else "--", style="bold red" if bad else ""),
                number(last.mean if last else None),
                number(last.min if last else None),
                number(last.max if last else None),
                key=v.path,
            )
        self.select(self.rows[0] if self.rows else None)

    def select(self, values: ModuleValues | None) -> None:
        self.selected = values
        title = self.query_one("#values-title", Static)
        spread, grad, hist = (self.query_one(f"#values-{n}", Sparkline) for n in ("spread", "grad", "histogram"))
        if values is None or self.model is None:
            title.update(Text("No values yet: run a model to see what flows through it.", style="dim"))
            for line in (spread, grad, hist):
                line.data = []
            for label in ("spread", "grad", "histogram"):
                self.query_one(f"#values-{label}-label", Static).update("")
            return
        where = f"{self.model.name}.{values.path}" if values.path else self.model.name
        title.update(Text.assemble((where, "bold"), (f" {values.cls}", "dim"),
                                   f"  {values.calls:,} calls, {len(values.outputs)} with statistics"))
        stds = [p.std for p in values.outputs if p.std is not None]
        spread.data = stds
        self.query_one("#values-spread-label", Static).update(Text.assemble(
            ("output std over calls", "bold"),
            f": {number(stds[0]) if stds else '--'} at call 1 → {number(stds[-1]) if stds else '--'}"))
        weight = weight_of(self.model, values.path)
        norms = [n.norm for n in weight.grad_norms if n.norm is not None] if weight else []
        grad.data = norms
        self.query_one("#values-grad-label", Static).update(
            Text.assemble((f"gradient norm of {weight.name}", "bold"),
                          f" over {len(weight.grad_norms)} backward passes: "
                          f"{number(norms[0]) if norms else '--'} → {number(norms[-1]) if norms else '--'}")
            if weight and weight.grad_norms else Text(
                "no parameters of its own" if weight is None else
                f"no gradient for {weight.name}: no backward pass reached it", style="dim"))
        self._show_histogram()

    def _show_histogram(self) -> None:
        values = self.selected
        weight = weight_of(self.model, values.path) if values is not None and self.model else None
        if self.show_weights:
            h, what = (weight.histogram if weight else None), f"histogram of {weight.name if weight else 'its weight'}"
        else:
            h, what = (values.histogram if values else None), "histogram of the latest output"
        self.query_one("#values-histogram", Sparkline).data = list(h.counts) if h else []
        self.query_one("#values-histogram-label", Static).update(histogram_label(h, what))

    def action_toggle_histogram(self) -> None:
        self.show_weights = not self.show_weights
        if self.selected is not None:
            self._show_histogram()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        path = event.row_key.value if event.row_key is not None else None
        found = next((v for v in self.rows if v.path == path), None)
        if found is not None:
            self.select(found)
