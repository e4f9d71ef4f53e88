"""The lesson player on the fake engine (tests/support/player_engine.py): start it, drive it, read
what it shows."""

from __future__ import annotations

import asyncio

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession
from modbox.ui.learn_app import LearnApp
from modbox.testing.scripted_sandbox import ScriptedSandbox
from modbox.ui.widgets.lesson_prose import LessonProse
from tests.support.player_engine import REGISTRATION, respond
from tests.support.ui import SIZE, wait_for


def learn_app(lessons=None, lesson_id=None):
    """The player on the fake engine, over ``lessons`` (default: the built-in ones)."""
    sandbox = ScriptedSandbox(respond)
    app = LearnApp(load_catalog(lessons), ProgressStore(), lesson_id, sandbox_factory=lambda: sandbox)
    return app, sandbox


def play(app, scenario):
    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def prose(app) -> str:
    return app.screen.query_one(LessonProse).markdown


async def on_top(pilot, app, kind, timeout=60.0):
    await wait_for(pilot, lambda: isinstance(app.screen, kind), timeout,
                   what=f"{kind.__name__} on top (the stack is {app.screen_stack})")
    return app.screen


async def settled(pilot, screen, source, timeout=60.0):
    """Put ``source`` in the editor if it is not there, then wait until it has run and its checks
    are shown."""
    ws = screen.workspace
    before = None
    if ws.source != source:
        before = screen.checked_report
        ws.set_source(source)
    await wait_for(pilot, lambda: not ws.running and screen.checked_report is not None
                   and screen.checked_report is not before and screen.checked_report is ws.last_report,
                   timeout, what="the draft's run")


def at_the_task_with(draft: str) -> None:
    """Progress as if the learner had answered both questions and reached the task."""
    session = LessonSession(REGISTRATION, ProgressStore())
    session.answer("q-early", "error", 2)
    session.answer("q-tensor", "zero", 2)
    session.draft = draft
    while session.step.id != "fix":
        session.next()
