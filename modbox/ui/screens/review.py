"""The review round at startup: predictions answered wrong before come back, confident mistakes
first. Skippable as a whole (esc on the first screen) or one question at a time (esc)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from modbox.lessons.session import Reveal, ReviewQuestion, sandbox_limits
from modbox.ui.engine import Engine
from modbox.ui.screens.prediction import PredictionScreen


class ReviewScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("enter", "start", "Start the review", id="review.start"),
        Binding("escape", "skip", "Skip the review", id="review.skip"),
    ]

    def __init__(self, engine: Engine, questions: list[ReviewQuestion]):
        super().__init__()
        self.engine = engine
        self.questions = questions
        self.right = 0
        self.asked = 0

    def compose(self) -> ComposeResult:
        n = len(self.questions)
        lessons = list(dict.fromkeys(q.session.lesson.title for q in self.questions))
        with Vertical(classes="dialog", id="review"):
            yield Label("A quick review", classes="dialog-title")
            text = Text(
                f"{'One prediction' if n == 1 else f'{n} predictions'} you got wrong before "
                f"{'comes' if n == 1 else 'come'} back now, the ones you were surest about first. "
                "Answering again, a little later, is what makes it stick.\n\n", )
            text.append("From: " + ", ".join(lessons) + "\n\n", style="dim")
            text.append("enter: start · esc: skip for now", style="bold")
            yield Static(text)

    def action_start(self) -> None:
        self._ask(0)

    def action_skip(self) -> None:
        self.dismiss(None)

    def _ask(self, index: int) -> None:
        if index >= len(self.questions):
            if self.asked:
                self.notify(f"Review done: {self.right} of {self.asked} right this time.")
            self.dismiss(None)
            return
        question = self.questions[index]
        # the questions open over this screen: its intro would show around and through them
        self.query_one("#review").display = False
        lesson = question.session.lesson
        limits, timeout = sandbox_limits(lesson), lesson.limits.wall

        async def run(source: str):
            return await self.engine.run(source, filename="experiment.py", timeout=timeout, limits=limits)

        def answered(reveal: Reveal | None) -> None:
            if reveal is not None:
                self.asked += 1
                self.right += reveal.correct
            self._ask(index + 1)

        self.app.push_screen(
            PredictionScreen(question.session, question.prediction, run,
                             title=f"Review {index + 1} of {len(self.questions)} · "
                                   f"{question.session.lesson.title} (esc skips it)"),
            answered,
        )
