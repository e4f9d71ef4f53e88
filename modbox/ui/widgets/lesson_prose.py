"""The prose of one lesson step as one Markdown document: the text, the task, the prediction
(asked, or answered with what the run showed), the myth with its refuting run, and the hints."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import VerticalScroll
from textual.widgets import Markdown

from modbox.lessons.progress import PredictionRecord
from modbox.lessons.session import LessonSession, Reveal
from modbox.report import Report
from modbox.ui.widgets.lesson_text import fence, plain_markdown, without_verdict

CONFIDENCE = {1: "guessing", 2: "fairly sure", 3: "certain"}


@dataclass(frozen=True)
class MythRun:
    """The myth's code as it ran in the sandbox (None while it runs)."""

    report: Report | None


def prediction_markdown(session: LessonSession, prediction_id: str, reveal: Reveal | None) -> str:
    prediction = session.lesson.prediction(prediction_id)
    record: PredictionRecord | None = session.progress.predictions.get(prediction_id)
    parts = ["### Your prediction", prediction.question.strip()]
    if record is None:
        parts.append("**Predict before anything runs:** press `a` (`alt+a` in the editor) to answer.")
        return "\n\n".join(parts)
    mine = prediction.choice(record.choice)
    parts.append(f"You answered **{mine.text}** ({CONFIDENCE.get(record.confidence, '?')}).")
    if record.correct is None:
        parts.append("The experiment has not run yet: press `a` (`alt+a` in the editor) to run it.")
        return "\n\n".join(parts)
    truth = prediction.choice(record.answer or "") or prediction.marked
    if record.correct:
        parts.append(f"✓ **Right.** {without_verdict(mine.explanation)}")
    else:
        parts.append(f"✗ **The run shows: {truth.text}.**")
        parts.append(f"Why not *{mine.text}*: {mine.explanation.strip()}")
        parts.append(f"Why *{truth.text}*: {without_verdict(truth.explanation)}")
    if reveal is not None and reveal.prediction.id == prediction_id and reveal.output.strip():
        parts.append("What the experiment printed:\n\n" + fence(reveal.output))
    parts.append("Press `a` (`alt+a` in the editor) to run the experiment again.")
    return "\n\n".join(parts)


def myth_markdown(session: LessonSession, run: MythRun | None) -> str:
    myth = session.lesson.myth
    parts = ["### Myth", f"> **“{plain_markdown(myth.claim.strip())}”**", "Running this shows what really happens:",
             fence(myth.code, "python")]
    report = run.report if run else None
    if report is None:
        parts.append("*Running it in the sandbox…*")
    else:
        shown = report.stdout
        if report.error is not None:
            shown += f"\n{report.error.kind}: {report.error.message}"
        parts.append("It printed:\n\n" + fence(shown or "(nothing)"))
        if myth.expect and myth.expect not in report.stdout:
            parts.append(f"*This run did not print `{myth.expect}`, which the lesson expects: "
                         "on this torch the myth's refutation may need updating.*")
    parts.append(myth.explanation.strip())
    return "\n\n".join(parts)


def step_markdown(session: LessonSession, reveal: Reveal | None = None,
                  myth_run: MythRun | None = None) -> str:
    step = session.step
    parts = [f"## {plain_markdown(step.title)}", step.text.strip()]
    if step.prediction:
        parts.append(prediction_markdown(session, step.prediction, reveal))
    if step.myth and session.lesson.myth is not None:
        parts.append(myth_markdown(session, myth_run))
    if step.task:
        parts.append("### Your task\n\n" + step.task.strip())
    hints = session.hints_shown
    if hints:
        last = len(session.lesson.hints) - 1
        lines = ["### Hints"]
        for i, hint in enumerate(hints):
            lines.append(f"**{'The fix' if i == last else f'Hint {i + 1}'}:** {hint.strip()}")
        parts.append("\n\n".join(lines))
    return "\n\n".join(parts) + "\n"


class LessonProse(VerticalScroll, can_focus=True):
    """A scrollable Markdown view; focusable so the lesson's letter keys work from here."""

    _source = ""
    _pending: tuple[str, str] | None = None
    _drawing = False

    def compose(self):
        yield Markdown(id="lesson-markdown")

    @property
    def markdown(self) -> str:
        return self._source

    def show(self, source: str, scroll: str = "home") -> None:
        """Show ``source``; ``scroll`` is "home" (a new step), "end" (something was added at
        the end) or "keep".

        Updates are drawn one after the other, the newest winning: cancelling a Markdown update
        halfway leaves the widget waiting forever."""
        self._source = source
        if scroll == "keep" and self._pending is not None:
            scroll = self._pending[1]
        self._pending = (source, scroll)
        if not self._drawing:
            self._drawing = True
            self.run_worker(self._draw(), group="lesson-prose")

    async def _draw(self) -> None:
        try:
            while self._pending is not None:
                source, scroll = self._pending
                self._pending = None
                await self.query_one(Markdown).update(source)
                if scroll == "end":
                    self.call_after_refresh(self.scroll_end, animate=False)
                elif scroll == "home":
                    self.scroll_home(animate=False)
        finally:
            self._drawing = False
