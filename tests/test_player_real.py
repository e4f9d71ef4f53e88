"""The lesson player on the real sandbox and inspector: the registration lesson walked through
(predictions decided by real runs, the starter failing its checks for real, a hint, the fix
passing them, the myth refuted by a real run). Slower: the sandbox starts torch once."""

from __future__ import annotations

import pytest
from player_engine import REGISTRATION
from test_player_walk import TWO_FIXED, on_top, prose, settled
from ui_harness import modbox_home, wait_for  # noqa: F401

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.ui.learn_app import LearnApp
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.prediction import PredictionScreen

import asyncio

pytestmark = pytest.mark.slow
SLOW = 120.0  # seconds: the first run waits for torch to import in the zygote, on a busy machine


def test_the_registration_lesson_on_the_real_sandbox():
    app = LearnApp(load_catalog(), ProgressStore(), "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        await pilot.press("n")
        ask = await on_top(pilot, app, PredictionScreen)
        await pilot.press("1", "3")  # "it works": wrong, and certain
        await wait_for(pilot, lambda: ask.phase == "reveal", SLOW, "the real experiment")
        assert not ask.reveal.correct and ask.reveal.problem is None
        assert ask.reveal.correct_choice.id == "error"
        assert "cannot assign module before Module.__init__() call" in ask.reveal.output
        assert "cannot assign module" in ask.query_one("#prediction-reveal").source
        await pilot.press("enter")
        await on_top(pilot, app, LessonScreen)

        await pilot.press("n")
        ask = await on_top(pilot, app, PredictionScreen)
        await pilot.press("2", "2")
        await wait_for(pilot, lambda: ask.phase == "reveal", SLOW, "the real experiment")
        assert ask.reveal.correct and "parameters: 0" in ask.reveal.output
        await pilot.press("enter")
        await on_top(pilot, app, LessonScreen)

        await pilot.press("n")
        await settled(pilot, lesson, REGISTRATION.starter, SLOW)
        failed = [r.id for r in lesson._results if not r.passed]
        assert "runs" in failed
        assert "cannot assign module before Module.__init__() call" in lesson.checked_report.error.message

        await pilot.press("alt+h")
        assert REGISTRATION.hints[0] in prose(app)

        await settled(pilot, lesson, TWO_FIXED, SLOW)
        assert {r.id for r in lesson._results if r.passed} == {"runs", "layers"}

        await settled(pilot, lesson, REGISTRATION.solution, SLOW)
        assert all(r.passed for r in lesson._results), lesson._results
        assert app.store.get("registration").solved

        await pilot.press("alt+n")
        await wait_for(pilot, lambda: "parameters: ['out.weight', 'out.bias']" in prose(app), SLOW,
                       "the myth's real run")
        following = app.catalog.lessons[[x.id for x in app.catalog.lessons].index("registration") + 1]
        await pilot.press("n")  # solved: on to the next lesson
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson is following,
                       what=f"the next lesson, {following.id}")
        await pilot.press("ctrl+q")

    async def main():
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())
