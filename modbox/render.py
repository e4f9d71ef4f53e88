"""Print a Report in a terminal with rich (used by ``modbox inspect``). No torch, no textual.

(Minimal for now: the outcome and the output. The Inspector adds the module tree, totals,
findings and events.)
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from modbox.report import Report


def print_report(report: Report, console: Console, events: int = 10) -> None:
    if report.ok:
        console.print(Text(f"ran to the end in {report.timing.run:.0f} ms", style="green"))
    elif report.error is not None:
        console.print(Text(f"{report.error.kind}: {report.error.message}", style="bold red"))
        if report.error.traceback:
            console.print(Text(report.error.traceback))
    for label, text, dropped in (
        ("stdout", report.stdout, report.stdout_dropped),
        ("stderr", report.stderr, report.stderr_dropped),
    ):
        if text:
            console.rule(label)
            console.print(Text(text), end="")
            if dropped:
                console.print(Text(f"... {dropped} more bytes not shown", style="dim"))
    console.print(Text(f"sandbox: {report.sandbox}", style="dim"))
