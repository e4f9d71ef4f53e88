"""The checks list of a lesson: every check's label with ✓ / ✗ from the latest run of the draft."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from modbox.lessons.checks import CheckResult
from modbox.lessons.model import Check
from modbox.plain_text import plain
from modbox.ui.widgets.lesson_text import inline


def failure_text(check: Check, result: CheckResult) -> Text:
    """The check's fail message: the lesson's words as inline Markdown, what the run showed
    (``{actual}``) as plain text, since it quotes the learner's output. A check the run could not
    answer shows only why: the lesson's words are about an answer there is none of."""
    if not result.evaluated:
        return plain(result.message, "red")
    text = Text(style="red")
    pieces = check.fail.split("{actual}")
    for i, piece in enumerate(pieces):
        text.append_text(inline(piece, "red") if piece.strip() else Text(piece))
        if i < len(pieces) - 1:
            text.append_text(plain(result.actual, "bold red"))
    return text


def checks_renderable(checks: tuple[Check, ...], results: list[CheckResult] | None, solved: bool,
                      keys: tuple[str, str] = ("s", "n")):
    """``keys``: how the solution and next keys are pressed where the focus is."""
    title = Text("Checks", style="bold")
    rows = Table.grid(padding=(0, 1))
    rows.add_column(width=1, no_wrap=True)
    rows.add_column(ratio=1)
    if results is None:
        title.append("  (they tick as soon as your code runs)", style="dim")
        for check in checks:
            rows.add_row(Text("·", style="dim"), inline(check.label))
        return Group(title, rows)
    passed = sum(r.passed for r in results)
    if passed == len(results):
        title.append(f"  all {len(results)} pass", style="bold green")
        if solved:
            title.append(f": solved! {keys[0]} shows the reference solution, {keys[1]} moves on",
                         style="green")
    else:
        title.append(f"  {passed} of {len(results)} pass", style="yellow")
    by_id = {check.id: check for check in checks}
    for result in results:
        if result.passed:
            rows.add_row(Text("✓", style="bold green"), inline(result.label))
        else:
            body = inline(result.label)
            body.append("\n")
            body.append_text(failure_text(by_id[result.id], result))
            rows.add_row(Text("✗", style="bold red"), body)
    return Group(title, rows)


class LessonChecks(VerticalScroll):
    """Shows ``checks_renderable``; ``results`` None means the draft has not run yet.

    Its place is at most part of the lesson's column: on a small terminal the checks are longer
    than that, so it scrolls, and tab reaches it to scroll with the keys."""

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-checks-text")

    def show(self, checks: tuple[Check, ...], results: list[CheckResult] | None, solved: bool,
             keys: tuple[str, str] = ("s", "n")) -> None:
        self.results = results
        self.shown = checks_renderable(checks, results, solved, keys)
        self.query_one("#lesson-checks-text", Static).update(self.shown)

