"""The lesson player on a fake engine: a whole lesson walked as a learner would, predictions
asked before the runs that reveal them, hints, the solution, reset."""

from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console

from modbox.ui.widgets.dialogs import ConfirmScreen
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.lesson_solution import SolutionScreen
from modbox.ui.screens.prediction import PredictionScreen
from modbox.ui.widgets.lesson_checks import LessonChecks
from modbox.ui.widgets.lesson_prose import LessonProse
from modbox.ui.widgets.lesson_text import plain_markdown
from tests.support.player import at_the_task_with, learn_app, on_top, play, prose, settled
from tests.support.player_engine import LESSONS, REGISTRATION
from tests.support.ui import wait_for

# The starter with its first bug fixed (super().__init__() first) and the second (self.out):
# it runs, but `scale` is still a plain tensor.
TWO_FIXED = REGISTRATION.starter.replace(
    "        self.hidden = nn.Linear(4, 8)\n        super().__init__()\n",
    "        super().__init__()\n        self.hidden = nn.Linear(4, 8)\n",
).replace("        out = nn.Linear(8, 2)", "        self.out = nn.Linear(8, 2)")


def checks_shown(screen) -> str:
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(screen.query_one(LessonChecks).shown)
    return console.export_text()


@pytest.mark.slow
def test_a_learner_walks_a_whole_lesson_predict_run_fail_hint_fix_pass_next():
    app, sandbox = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.session.step.id == "setattr"
        assert "Assignment is registration" in prose(app)

        await pilot.press("n")  # to the first prediction: asked at once
        ask = await on_top(pilot, app, PredictionScreen)
        assert lesson.session.step.id == "super-first"
        await pilot.press("2", "3")  # "AttributeError ...", certain
        await wait_for(pilot, lambda: ask.phase == "reveal", what="the reveal")
        assert sandbox.runs[-1]["source"] == REGISTRATION.prediction("q-early").observe
        assert ask.reveal.correct
        assert "Right" in str(ask.query_one("#prediction-verdict").render())
        await pilot.press("enter")
        await on_top(pilot, app, LessonScreen)
        assert "You answered **AttributeError" in prose(app)

        await pilot.press("n")
        ask = await on_top(pilot, app, PredictionScreen)
        await pilot.press("1", "3")  # "1: requires_grad makes it a parameter", certain: wrong
        await wait_for(pilot, lambda: ask.phase == "reveal", what="the reveal")
        assert not ask.reveal.correct and ask.reveal.confident_mistake
        assert ask.query_one("#prediction-verdict").has_class("-confident-mistake")
        assert "parameters: 0" in ask.reveal.output
        shown = ask.query_one("#prediction-reveal").source
        assert "What the experiment printed" in shown and "parameters: 0" in shown
        assert "Why not:" in shown and "Why the run's answer:" in shown
        await pilot.press("escape")
        await on_top(pilot, app, LessonScreen)
        assert "The run shows: 0: a plain tensor is not registered" in prose(app)
        assert [i.prediction_id for i in app.store.review_queue()] == ["q-tensor"]

        await pilot.press("n")  # the task: the starter runs and fails its checks
        assert lesson.session.step.id == "fix"
        await settled(pilot, lesson, REGISTRATION.starter)
        assert lesson.workspace.editor.has_focus
        assert not any(r.passed for r in lesson._results)
        shown = checks_shown(lesson)
        assert "0 of 6 pass" in shown
        assert "The run stopped: exception: AttributeError: cannot assign module" in shown
        # the checks on the model the run never left: why, once each, without their fail texts
        stopped = "The run stopped (exception, line 9) before it left a model to check."
        on_the_model = [c for c in REGISTRATION.checks if c.kind != "outcome"]
        assert shown.count(stopped) == len(on_the_model), shown
        fail_texts = [piece.strip() for c in on_the_model for piece in c.fail.split("{actual}") if piece.strip()]
        assert not [text for text in fail_texts if text in shown], shown

        await pilot.press("alt+h")  # from the editor: the first hint tier, and only it
        assert REGISTRATION.hints[0] in prose(app)
        assert REGISTRATION.hints[1] not in prose(app)

        await settled(pilot, lesson, TWO_FIXED)  # two bugs fixed: two checks tick
        assert [r.id for r in lesson._results if r.passed] == ["runs", "layers"]
        assert "2 of 6 pass" in checks_shown(lesson)
        await wait_for(pilot, lambda: lesson.session.draft == TWO_FIXED, what="the draft saved")

        await settled(pilot, lesson, REGISTRATION.solution)
        assert all(r.passed for r in lesson._results)
        assert app.store.get("registration").solved
        assert "solved" in checks_shown(lesson)

        await pilot.press("alt+s")  # solved: the solution opens without asking
        side = await on_top(pilot, app, SolutionScreen)
        assert side.query_one("#solution-mine").text == REGISTRATION.solution
        assert side.query_one("#solution-reference").text == REGISTRATION.solution
        await pilot.press("escape")
        await on_top(pilot, app, LessonScreen)

        await pilot.press("alt+n")  # the myth: its code runs in the sandbox
        assert lesson.session.step.myth
        await wait_for(pilot, lambda: "parameters: ['out.weight', 'out.bias']" in prose(app),
                       what="the myth's output")
        assert plain_markdown(REGISTRATION.myth.claim) in prose(app)  # __init__ not read as bold

        await pilot.press("n")  # solved, last step: the lesson is complete, then the next one
        done = await on_top(pilot, app, ConfirmScreen)
        assert "Lesson complete" in done.question and "Next: “Modules inside modules”." in done.question
        assert app.screen_stack[-2] is lesson  # nothing of the next lesson opened yet
        await pilot.click("#yes")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "nesting",
                       what="the next lesson")

    play(app, scenario)


def test_a_prediction_is_asked_before_any_run_and_cannot_be_skipped():
    app, sandbox = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        await pilot.press("n")
        await on_top(pilot, app, PredictionScreen)
        await pilot.press("escape")  # "answer later"
        await on_top(pilot, app, LessonScreen)
        runs = len(sandbox.runs)
        lesson.workspace.set_source(REGISTRATION.solution)  # typing does not run: it would tell
        await pilot.pause(0.8)
        assert len(sandbox.runs) == runs
        await pilot.press("n")  # cannot move on: the question comes back
        await on_top(pilot, app, PredictionScreen)
        assert lesson.session.step.id == "super-first"
        await pilot.press("escape")
        await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.focus()
        await pilot.press("ctrl+r")  # nor run by hand
        await on_top(pilot, app, PredictionScreen)
        assert len(sandbox.runs) == runs
        await pilot.press("down", "enter", "1")  # choice 2 by arrows, then "guessing"
        await wait_for(pilot, lambda: app.screen.phase == "reveal", what="the reveal")
        assert app.screen.reveal.choice.id == "error"
        await pilot.press("enter")
        await on_top(pilot, app, LessonScreen)
        assert len(sandbox.runs) == runs + 1  # only the experiment: the next question is still open
        await pilot.press("n")
        await on_top(pilot, app, PredictionScreen)
        await pilot.press("2", "2")
        await wait_for(pilot, lambda: app.screen.phase == "reveal", what="the reveal")
        await pilot.press("enter")
        # every question before the task answered: the held run of the draft happens now
        await wait_for(pilot, lambda: sandbox.runs[-1]["source"] == REGISTRATION.solution,
                       what="the held run")
        assert lesson.session.step.id == "plain-tensor"


@pytest.mark.slow
def test_the_fix_hint_and_an_early_solution_need_a_confirmation():
    app, _ = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        await on_top(pilot, app, LessonScreen)
        for tier in REGISTRATION.hints[:-1]:
            await pilot.press("h")
            assert tier in prose(app)
        await pilot.press("h")
        await on_top(pilot, app, ConfirmScreen)
        await pilot.click("#no")
        await on_top(pilot, app, LessonScreen)
        assert REGISTRATION.hints[-1] not in prose(app)
        await pilot.press("h")
        await on_top(pilot, app, ConfirmScreen)
        await pilot.click("#yes")
        await on_top(pilot, app, LessonScreen)
        assert "**The fix:** " + REGISTRATION.hints[-1] in prose(app)

        await pilot.press("s")  # not solved: "show me" asks first
        await on_top(pilot, app, ConfirmScreen)
        await pilot.click("#yes")
        side = await on_top(pilot, app, SolutionScreen)
        assert side.query_one("#solution-mine").text == REGISTRATION.starter
        assert side.query_one("#solution-reference").text == REGISTRATION.solution
        assert side.query_one("#solution-reference").read_only
        assert app.store.get("registration").solution_viewed
        assert not app.store.get("registration").solved

    play(app, scenario)


@pytest.mark.slow
def test_resetting_a_lesson_asks_then_starts_it_afresh():
    at_the_task_with(REGISTRATION.solution)
    app, sandbox = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.session.step.id == "fix"
        await settled(pilot, lesson, REGISTRATION.solution)
        assert app.store.get("registration").solved
        lesson.query_one(LessonProse).focus()
        await pilot.press("h")
        await pilot.press("x")
        await on_top(pilot, app, ConfirmScreen)
        await pilot.click("#yes")
        await on_top(pilot, app, LessonScreen)
        assert lesson.workspace.source == REGISTRATION.starter
        assert app.store.get("registration").status == "new"
        assert "Hints" not in prose(app)
        assert lesson.session.step.id == "setattr"

    play(app, scenario)


@pytest.mark.slow
def test_a_lesson_program_runs_after_the_drafts_run_in_flight_instead_of_replacing_it():
    at_the_task_with(REGISTRATION.solution)
    app, sandbox = learn_app(LESSONS, "registration")
    observe = REGISTRATION.prediction("q-tensor").observe

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        ws = lesson.workspace
        await wait_for(pilot, lambda: lesson.checked_report is not None, what="the first run")
        before = lesson.checked_report
        sandbox.delay = 0.5
        ws.run_now()  # the draft's run is in flight ...
        side = asyncio.ensure_future(lesson.side_run(observe))  # ... when an experiment is asked for
        await wait_for(pilot, side.done, timeout=10, what="the experiment's report")
        assert side.result().stdout == "parameters: 0\nzero\n"
        assert lesson.checked_report is not before, "the draft's run was replaced, not answered"
        assert [run["source"] for run in sandbox.runs[-2:]] == [REGISTRATION.solution, observe]

    play(app, scenario)


def test_a_right_answer_says_right_once_whatever_the_explanation_starts_with(tmp_path):
    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import PredictionRecord, ProgressStore
    from modbox.lessons.session import LessonSession
    from modbox.ui.widgets.lesson_prose import prediction_markdown

    seen = 0
    for lesson in load_catalog(None).lessons:
        for prediction in lesson.predictions:
            for choice in prediction.choices:
                store = ProgressStore(tmp_path / f"{lesson.id}-{prediction.id}-{choice.id}.json")
                store.update(lesson.id, lambda p: p.predictions.update({prediction.id: PredictionRecord(
                    choice.id, 2, correct=True, answer=choice.id)}))
                text = prediction_markdown(LessonSession(lesson, store), prediction.id, None)
                assert text.count("Right.") == 1, text
                seen += choice.explanation.lstrip().startswith("Right")
    assert seen  # some explanations do start with "Right.": the case is covered


def footer_keys(app) -> dict[str, str]:
    """The keys the footer shows, by action: the first active binding of each, as Textual's
    Footer picks them."""
    shown = {}
    for key, (_, binding, enabled, _) in app.screen.active_bindings.items():
        if binding.show and enabled:
            shown.setdefault(binding.action, key)
    return shown


def test_every_key_hint_names_the_key_that_works_where_the_focus_is():
    at_the_task_with(TWO_FIXED)
    app, _ = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        await settled(pilot, lesson, TWO_FIXED)
        editor = lesson.workspace.editor
        assert app.focused is editor
        keys = footer_keys(app)
        assert keys["next"] == "alt+n" and keys["solution"] == "alt+s"
        await settled(pilot, lesson, REGISTRATION.solution)  # solved while typing
        told = "\n".join(n.message for n in app._notifications)
        assert "alt+s shows the reference solution" in told and "alt+n moves on" in told
        assert "solved! alt+s shows the reference solution, alt+n moves on" in checks_shown(lesson)
        before = lesson.workspace.source
        await pilot.press("s")  # types, as the hints no longer promise otherwise
        assert lesson.workspace.source != before
        lesson.query_one(LessonProse).focus()
        await pilot.pause()
        keys = footer_keys(app)
        assert keys["next"] == "alt+n" and keys["solution"] == "alt+s"  # they work here too
        assert "solved! s shows the reference solution, n moves on" in checks_shown(lesson)
        await pilot.press("s")
        await on_top(pilot, app, SolutionScreen)

    play(app, scenario)


def test_predict_is_offered_only_on_a_step_with_a_prediction():
    at_the_task_with(TWO_FIXED)  # both questions answered: going back asks nothing
    app, _ = learn_app(LESSONS, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        offered = {}
        for _ in REGISTRATION.steps:
            await pilot.pause()
            offered[lesson.session.step.id] = "predict" in footer_keys(app)
            lesson.action_prev()
        assert offered == {"fix": False, "plain-tensor": True, "super-first": True, "setattr": False}

    play(app, scenario)
