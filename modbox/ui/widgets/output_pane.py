"""The Output pane: what the run printed, its error and traceback, how long it took, and the tier."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from modbox.report import Report
from modbox import formatting as fmt
from modbox.plain_text import plain
from modbox.presentation import sandbox_words


def tier_text(tier: str) -> Text:
    return Text(sandbox_words(tier), style="bold yellow" if tier == "plain" else "dim")


def output_text(report: Report) -> Text:
    """Everything as literal text: learner output is never read as markup or escapes."""
    text = Text()
    if report.ok:
        text.append(f"ran to the end in {report.timing.run:.0f} ms", style="green")
    elif report.error is not None:
        text.append(f"{report.error.kind}: ", style="bold red")
        text.append_text(plain(report.error.message, "red"))
    text.append("  ·  ")
    text.append_text(tier_text(report.sandbox))
    for label, body, dropped, style in (
        ("stdout", report.stdout, report.stdout_dropped, ""),
        ("stderr", report.stderr, report.stderr_dropped, "red"),
    ):
        if body or dropped:
            text.append(f"\n\n── {label} ──\n", style="dim")
            text.append_text(plain(body.rstrip("\n"), style))
            if dropped:
                text.append(f"\n… {fmt.count(dropped)} more bytes not shown", style="dim yellow")
    if report.error is not None and report.error.traceback:
        text.append("\n\n── traceback ──\n", style="dim")
        text.append_text(plain(report.error.traceback.rstrip("\n")))
    if not (report.stdout or report.stderr or report.error):
        text.append("\n\n(nothing printed)", style="dim")
    return text


class OutputPane(VerticalScroll):
    def compose(self):
        yield Static(Text("Run the file (ctrl+r) to see its output here.", style="dim"), id="output-text")

    def show_report(self, report: Report) -> None:
        self.query_one("#output-text", Static).update(output_text(report))

    def show_live(self, stdout: str, stderr: str) -> None:
        text = plain(stdout)
        if stderr:
            text.append("\n── stderr ──\n", style="dim")
            text.append_text(plain(stderr, "red"))
        self.query_one("#output-text", Static).update(text)
