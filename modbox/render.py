"""Print a Report in a terminal with rich (used by ``modbox inspect``). No torch, no textual.

Layout: the outcome, then per model a module tree (own and subtree parameter counts,
trainable, train/eval mode, devices, dtypes, last output shape) with torchinfo-style totals, the findings
(warnings first, with line numbers), the last events, the learner's output. The words and the
order come from ``modbox.presentation``, shared with the panes; this module lays them out.
Every string that came from the learner's program is printed as ``Text``, never as markup.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modbox import formatting as fmt
from modbox.plain_text import strip_escapes
from modbox.presentation import (
    event_text, finding_text, memory_heading, memory_lines, ranked_findings, same_object_as,
    sandbox_words, totals,
)
from modbox.report import Finding, MemoryEstimate, Model, ModuleRow, Report

MAX_ROWS = 200  # module rows printed per model; --json has them all
FINDING_STYLES = {"warning": "bold yellow", "info": "blue", "kind": "bold", "where": "cyan", "line": "dim"}
EVENT_STYLES = {"seq": "dim", "kind": "magenta", "cls": "cyan"}


def print_report(report: Report, console: Console, events: int = 10) -> None:
    _print_outcome(report, console)
    for model in report.models:
        console.print()
        print_model(model, console)
    findings = ranked_findings(report)
    if findings:
        console.print()
        console.rule("findings", align="left")
        print_findings(findings, console)
    if events > 0 and report.events:
        console.print()
        print_events(report, console, events)
    if report.memory is not None:
        console.print()
        print_memory(report.memory, console)
    if report.values:
        console.print()
        console.rule("evaluated after the run", align="left")
        for value in report.values:
            line = Text(value.expr, style="bold")
            line.append(" = " if value.ok else "  raised ", style="dim")
            line.append(value.repr, style="" if value.ok else "red")
            console.print(line)
    for label, text, dropped in (
        ("stdout", report.stdout, report.stdout_dropped),
        ("stderr", report.stderr, report.stderr_dropped),
    ):
        if text:
            console.print()
            console.rule(label, align="left")
            console.print(Text(strip_escapes(text)), end="" if text.endswith("\n") else "\n")
            if dropped:
                console.print(Text(f"... {fmt.count(dropped)} more bytes not shown", style="dim"))
    console.print(Text(sandbox_words(report.sandbox),
                       style="bold yellow" if report.sandbox == "plain" else "dim"))


def print_memory(estimate: MemoryEstimate, console: Console) -> None:
    console.rule("memory of one training step", align="left")
    console.print(Text(memory_heading(estimate), style="red" if estimate.error else "dim"))
    if estimate.error:
        return
    for label, size, detail in memory_lines(estimate):
        chosen = detail == "*"
        line = Text(f"  {label:<34}{size:>12}", style="bold" if chosen else "")
        if detail and not chosen:
            line.append(f"  ({detail})", style="dim")
        console.print(line)
    for note in estimate.notes:
        console.print(Text(f"  {note}", style="yellow"))


def _print_outcome(report: Report, console: Console) -> None:
    if report.ok:
        console.print(Text(f"ran to the end in {report.timing.run:.0f} ms", style="green"))
        return
    if report.error is None:
        return
    error = report.error
    console.print(Text(f"{error.kind}: {fmt.at_line(strip_escapes(error.message), error.line)}", style="bold red"))
    if error.traceback:
        console.print(Text(strip_escapes(error.traceback).rstrip("\n")))


def print_model(model: Model, console: Console, max_rows: int = MAX_ROWS) -> None:
    title = Text()
    title.append(model.name, style="bold")
    title.append(f"  {model.cls}", style="cyan")
    console.print(title)
    rows = model.modules[:max_rows]
    cells = [module_cells(model.name, p, r) for p, r in zip(tree_prefixes(model.modules), rows)]
    columns = (
        ("Module", "left"),
        ("Class", "left"),
        ("Output shape", "left"),
        ("Own", "right"),
        ("Total", "right"),
        ("Trainable", "left"),
        ("Mode", "left"),
        ("Device", "left"),
        ("Dtype", "left"),
    )
    widths = [
        max([len(header)] + [c[i].cell_len for c in cells]) for i, (header, _) in enumerate(columns)
    ]
    # Counts and flags keep their width; the module, class and shape columns share the rest,
    # cut with an ellipsis. A terminal too narrow even for that loses Dtype, Device and Mode.
    keep = list(range(len(columns)))
    while True:
        room = console.width - sum(widths[i] for i in keep[3:]) - 3 * (len(keep) - 1)
        if room >= 36 or len(keep) == 6:
            break
        keep.pop()
    for i, share in ((2, 0.3), (1, 0.3), (0, 1.0)):
        widths[i] = max(len(columns[i][0]), min(widths[i], int(room * share) if i else room))
        room -= widths[i]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for i in keep:
        header, justify = columns[i]
        table.add_column(header, justify=justify, no_wrap=True, overflow="ellipsis", width=widths[i])
    cells = [[c[i] for i in keep] for c in cells]
    for row_cells in cells:
        table.add_row(*row_cells)
    console.print(table)
    hidden = len(model.modules) - len(rows) + model.modules_omitted
    if hidden > 0:
        console.print(Text(f"... {fmt.count(hidden)} more modules (modbox inspect --json lists all)", style="dim"))
    for line in totals(model):
        console.print(Text(line))


def module_cells(name: str, prefix: str, row: ModuleRow) -> list[Text]:
    label = Text(prefix)
    label.append(row.path.rpartition(".")[2] if row.path else name)
    label.append(same_object_as(row), style="yellow")
    trainable = {"all": "yes", "none": "no", "partial": "partial"}[row.trainable]
    return [
        label,
        Text(row.cls),
        Text(fmt.shape(row.output_shape)),
        Text(_count(row.own_params)),
        Text(_count(row.total_params)),
        Text(trainable if row.total_params else fmt.NONE),
        Text("train" if row.training else "eval"),
        Text(", ".join(row.devices) or fmt.NONE),
        Text(", ".join(row.dtypes) or fmt.NONE),
    ]


def tree_prefixes(rows: list[ModuleRow]) -> list[str]:
    """Box-drawing prefixes (``├─ ``, ``│  ``) for rows in ``named_modules()`` order."""
    n = len(rows)
    last = [True] * n
    next_at_depth: dict[int, int] = {}  # depth -> index of the following row at that depth
    for i in range(n - 1, -1, -1):
        d = rows[i].depth
        following = next_at_depth.get(d)
        # a later sibling exists if a row at this depth comes before any shallower row
        last[i] = following is None
        next_at_depth[d] = i
        for deeper in [k for k in next_at_depth if k > d]:
            del next_at_depth[deeper]
    out = []
    open_levels: list[bool] = []  # for each ancestor depth: does a sibling follow it?
    for i, row in enumerate(rows):
        d = row.depth
        del open_levels[max(d - 1, 0) :]
        if d == 0:
            out.append("")
            continue
        stems = "".join("│  " if more else "   " for more in open_levels[: d - 1])
        out.append(stems + ("└─ " if last[i] else "├─ "))
        open_levels.append(not last[i])
    return out


def print_findings(findings: list[tuple[str, Finding]], console: Console) -> None:
    for model, finding in findings:
        console.print(finding_text(model, finding, FINDING_STYLES))


def print_events(report: Report, console: Console, count: int) -> None:
    total = max(report.events_total, len(report.events))
    shown = report.events[-count:]
    title = f"last {len(shown)} of {fmt.count(total)} events"
    if report.events_dropped:
        title += f" ({fmt.count(report.events_dropped)} not kept)"
    console.rule(title, align="left")
    for event in shown:
        console.print(event_text(event, EVENT_STYLES))


def _count(n: int) -> str:
    return fmt.count(n) if n else fmt.NONE
