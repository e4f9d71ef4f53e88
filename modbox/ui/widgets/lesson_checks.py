"""The checks list of a lesson: every check's label with ✓ / ✗ from the latest run of the draft."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from modbox.lessons.checks import CheckResult
from modbox.lessons.model import Check
from modbox.ui.plain_text import plain
from modbox.ui.widgets.lesson_text import inline


def checks_text(checks: tuple[Check, ...], results: list[CheckResult] | None, solved: bool) -> Text:
    text = Text()
    if results is None:
        text.append("Checks", style="bold")
        text.append("  (they tick as soon as your code runs)\n", style="dim")
        for check in checks:
            text.append("  · ", style="dim")
            text.append_text(inline(check.label))
            text.append("\n")
        return text
    passed = sum(r.passed for r in results)
    text.append("Checks", style="bold")
    if passed == len(results):
        text.append(f"  all {len(results)} pass", style="bold green")
        if solved:
            text.append(": solved! s shows the reference solution, n moves on", style="green")
    else:
        text.append(f"  {passed} of {len(results)} pass", style="yellow")
    text.append("\n")
    for result in results:
        if result.passed:
            text.append("  ✓ ", style="bold green")
            text.append_text(inline(result.label))
        else:
            text.append("  ✗ ", style="bold red")
            text.append_text(inline(result.label))
            text.append("\n      ")
            # the message embeds what the learner's run printed: never read it as markup
            text.append_text(plain(result.message, "red"))
        text.append("\n")
    return text


class LessonChecks(Static):
    """Shows ``checks_text``; ``results`` None means the draft has not run yet."""

    def show(self, checks: tuple[Check, ...], results: list[CheckResult] | None, solved: bool) -> None:
        self.results = results
        self.update(checks_text(checks, results, solved))
