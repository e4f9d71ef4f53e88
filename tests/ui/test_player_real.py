"""The lesson player on the real sandbox and inspector: the built-in registration lesson walked
through (its predictions decided by real runs, the starter failing its checks for real, a hint, a
partial fix ticking some checks, the solution passing them all, the myth refuted by a real run).
What the test expects is read from the lesson, so that it holds as the lesson is rewritten.
Slower: the sandbox starts torch once."""

from __future__ import annotations

import asyncio

import pytest

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.ui.learn_app import LearnApp
from modbox.ui.widgets.dialogs import ConfirmScreen
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.prediction import PredictionScreen
from tests.support.player import on_top, prose, settled
from tests.support.ui import wait_for

pytestmark = pytest.mark.slow
SLOW = 120.0  # seconds: the first run waits for torch to import in the zygote, on a busy machine


def partly_fixed(starter: str) -> str:
    """The registration starter with two of its bugs fixed (super().__init__() first, and
    self.out): it runs, but `scale` is still a plain tensor."""
    fixed = starter.replace(
        "        self.hidden = nn.Linear(4, 8)\n        super().__init__()\n",
        "        super().__init__()\n        self.hidden = nn.Linear(4, 8)\n",
    ).replace("        out = nn.Linear(8, 2)", "        self.out = nn.Linear(8, 2)")
    assert fixed.count("self.out = nn.Linear") == 1 and "super().__init__()\n        self.hidden" in fixed, (
        f"the registration starter no longer has the bugs this test fixes:\n{starter}")
    return fixed


def test_the_registration_lesson_on_the_real_sandbox():
    app = LearnApp(load_catalog(), ProgressStore(), "registration")
    lesson_file = app.catalog.get("registration")
    asked = [lesson_file.prediction(step.prediction) for step in lesson_file.steps if step.prediction]
    assert asked, "the registration lesson asks no prediction"

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        for number, prediction in enumerate(asked):
            while lesson.session.step.prediction != prediction.id:
                await pilot.press("n")
            ask = await on_top(pilot, app, PredictionScreen)
            right = prediction.marked
            # the first question answered wrong and certain, the others right and fairly sure
            pick = next(c for c in prediction.choices if not c.correct) if number == 0 else right
            await pilot.press(str(prediction.choices.index(pick) + 1), "3" if number == 0 else "2")
            await wait_for(pilot, lambda: ask.phase == "reveal", SLOW, f"the real experiment of {prediction.id}")
            reveal = ask.reveal
            # the real run decides, and it agrees with the choice the lesson marks as right
            assert reveal.problem is None and reveal.disagreement is None, (reveal.problem, reveal.disagreement)
            assert reveal.correct_choice.id == right.id
            assert reveal.correct == (pick is right) and reveal.confident_mistake == (number == 0)
            assert reveal.output.strip(), f"{prediction.id}: the experiment printed no evidence"
            await pilot.press("enter")
            await on_top(pilot, app, LessonScreen)
        assert [i.prediction_id for i in app.store.review_queue()] == [asked[0].id]

        while lesson.session.step.task is None:
            await pilot.press("n")
        await settled(pilot, lesson, lesson_file.starter, SLOW)
        assert len(lesson._results) == len(lesson_file.checks)
        at_start = {r.id for r in lesson._results if r.passed}
        assert len(at_start) < len(lesson_file.checks), "the starter passes every check"
        assert "cannot assign module before Module.__init__() call" in lesson.checked_report.error.message

        await pilot.press("alt+h")
        assert lesson_file.hints[0] in prose(app)

        await settled(pilot, lesson, partly_fixed(lesson_file.starter), SLOW)
        partly = {r.id for r in lesson._results if r.passed}
        assert at_start < partly < {c.id for c in lesson_file.checks}, (at_start, partly)

        await settled(pilot, lesson, lesson_file.solution, SLOW)
        assert all(r.passed for r in lesson._results), lesson._results
        assert app.store.get("registration").solved

        assert lesson_file.myth.expect, "the registration myth says nothing its run must print"
        while not lesson.session.step.myth:
            await pilot.press("alt+n")  # the editor has the focus: alt+n, as the learner would
        await wait_for(pilot, lambda: lesson_file.myth.expect in prose(app), SLOW, "the myth's real run")
        while not lesson.session.is_last_step:
            await pilot.press("alt+n")
        following = app.catalog.lessons[[x.id for x in app.catalog.lessons].index("registration") + 1]
        await pilot.press("n")  # solved: the lesson is complete, then on to the next one
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="lesson complete")
        assert "Lesson complete" in app.screen.question
        await pilot.click("#yes")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson is following,
                       what=f"the next lesson, {following.id}")
        await pilot.press("ctrl+q")

    async def main():
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())
