"""Make the README's lesson screenshots from the real app on the real sandbox, headless.

    python assets/make_lesson_screenshots.py    # writes assets/lesson-*.svg

Each scene starts `modbox learn` with prepared progress, plays what a learner does (a menu with
progress, a prediction answered wrong with certainty, the task with its checks and a hint) and
saves the screen as SVG (fixed size and theme, cursor not blinking).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession
from modbox.ui.learn_app import LearnApp
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.prediction import PredictionScreen

HERE = Path(__file__).resolve().parent
SIZE = (150, 40)


async def until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 180
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: nothing within 180 s")
        await pilot.pause(0.1)


async def save(app, pilot, name: str) -> None:
    for editor in app.screen.query("TextArea"):
        editor.cursor_blink = False
    app.clear_notifications()
    await pilot.pause(0.5)
    await pilot.wait_for_scheduled_animations()
    app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote assets/{name}")


async def menu_scene() -> None:
    catalog = load_catalog()
    store = ProgressStore()
    store.update("objects", lambda p: setattr(p, "solved", True))
    LessonSession(catalog.get("anatomy"), store).next()
    app = LearnApp(catalog, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        await save(app, pilot, "lesson-menu.svg")


async def prediction_scene() -> None:
    catalog = load_catalog()
    session = LessonSession(catalog.get("registration"), ProgressStore())
    session.answer("q-early", "error", 2)
    session.next()
    session.next()
    app = LearnApp(catalog, ProgressStore(), "registration")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PredictionScreen), "the prediction")
        await pilot.press("1", "3")
        await until(pilot, lambda: app.screen.phase == "reveal", "the reveal")
        await save(app, pilot, "lesson-prediction.svg")


async def task_scene() -> None:
    catalog = load_catalog()
    session = LessonSession(catalog.get("registration"), ProgressStore())
    for prediction, choice in (("q-early", "error"), ("q-tensor", "zero")):
        session.answer(prediction, choice, 2)
    while not session.step.task:
        session.next()
    app = LearnApp(catalog, ProgressStore(), "registration")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson")
        lesson = app.screen
        await until(pilot, lambda: lesson.checked_report is not None, "the starter's run")
        await pilot.press("alt+h")
        await save(app, pilot, "lesson-task.svg")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for scene in (menu_scene, prediction_scene, task_scene):
            os.environ["MODBOX_HOME"] = tempfile.mkdtemp(prefix="modbox-shots-", dir=tmp)
            asyncio.run(scene())


if __name__ == "__main__":
    sys.exit(main())
