"""Dialogs that open at start-up are drawn, in a real terminal, launch after launch.

A lesson whose first step asks a prediction opens the prediction dialog before the first frame,
and a review round opens over the menu (or the lesson) at once. Whether the first frame is
written then depends on timing (Textual's batched updates; see ``textual_compat``), so each is
launched several times: a launch that leaves the terminal blank waits here until the limit and
fails with the screen it saw.
"""

from __future__ import annotations

import pytest

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import PredictionRecord, ProgressStore
from tests.support.e2e import Terminal, kill_leftovers, needs_tmux


pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(1800)]

LAUNCHES = 5
PREDICTION_TITLE = "Predict before you run"
PREDICTION_KEYS = "1-9 or ↑ ↓ and enter: your answer"
REVIEW_TITLE = "A quick review"


def _asking_at_once():
    """The lessons whose first step asks its prediction."""
    lessons = [lesson for lesson in load_catalog(None).lessons if lesson.steps[0].prediction]
    assert lessons, "no lesson asks a prediction on its first step"
    return lessons


class _Launcher:
    """Launches ``modbox`` in ``term`` one after another, each quit with ctrl+q."""

    def __init__(self, term: Terminal):
        self.term = term
        self.count = 0
        self.app_pid: int | None = None

    def launch(self, command: str) -> None:
        self.count += 1
        self.term.run(f"clear; {command}; echo launch-{self.count}-exit=$?")
        self.app_pid = self.term.wait_for_app()

    def quit(self) -> None:
        self.term.press("C-q")
        screen = self.term.wait_for(f"launch-{self.count}-exit=0")
        assert "Traceback" not in screen
        self.term.wait_until(lambda: not self.term.app_pids(), f"launch {self.count} ended")
        self.app_pid = None


def test_a_lesson_that_asks_at_once_draws_its_question_every_launch(tmp_path):
    lessons = _asking_at_once()
    first = lessons[0]
    with Terminal(tmp_path / "home", tmp_path) as term:
        launcher = _Launcher(term)
        try:
            # The same lesson again and again: the prediction is left open, so each launch asks it.
            for _ in range(LAUNCHES):
                launcher.launch(f"modbox learn {first.id}")
                term.wait_for(PREDICTION_TITLE, PREDICTION_KEYS, first.title)
                launcher.quit()
            for lesson in lessons[1:]:
                launcher.launch(f"modbox learn {lesson.id}")
                term.wait_for(PREDICTION_TITLE, PREDICTION_KEYS, lesson.title)
                launcher.quit()
        finally:
            kill_leftovers(term, launcher.app_pid)


def test_a_review_round_at_start_up_is_drawn_every_launch(tmp_path):
    lesson = _asking_at_once()[0]
    # A confident mistake on another lesson's prediction comes back at start-up, and leaves
    # the lesson's own first question open.
    other = next(o for o in load_catalog(None).lessons if o.id != lesson.id and o.predictions)
    prediction = other.predictions[0]
    wrong = next(c for c in prediction.choices if not c.correct)
    home = tmp_path / "home"
    ProgressStore(home / "data" / "progress.json").update(
        other.id, lambda p: p.predictions.__setitem__(
            prediction.id, PredictionRecord(wrong.id, 3, correct=False, review=True, answered_at=1.0)))
    with Terminal(home, tmp_path) as term:
        launcher = _Launcher(term)
        try:
            for _ in range(LAUNCHES):
                launcher.launch("modbox")
                term.wait_for(REVIEW_TITLE, "enter: start · esc: skip for now")
                launcher.quit()
            # Over the lesson: skipping the review leaves the lesson's own question to be asked.
            for _ in range(LAUNCHES):
                launcher.launch(f"modbox learn {lesson.id}")
                term.wait_for(REVIEW_TITLE, "enter: start · esc: skip for now")
                term.press("Escape")
                term.wait_for(PREDICTION_TITLE, PREDICTION_KEYS, lesson.title)
                launcher.quit()
        finally:
            kill_leftovers(term, launcher.app_pid)
