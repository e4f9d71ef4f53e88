"""The lesson menu, resuming after a restart, broken lessons, the review round, lesson limits,
and the lesson keys in the help screen and the keymap (fake engine)."""

from __future__ import annotations

import argparse
import shutil
import textwrap
import subprocess
import sys

import pytest

from modbox.lessons.checks import expressions
from modbox.lessons.loader import builtin_lessons_dir, load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession
from modbox.report import Report
from modbox.sandbox.limits import Limits
from modbox.ui import launch
from modbox.ui.screens.help import HelpScreen
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.lesson_menu import ExperimentScreen, LessonMenuScreen
from modbox.ui.screens.prediction import PredictionScreen
from modbox.ui.screens.review import ReviewScreen
from textual.widgets import Markdown, OptionList
from tests.support.lessons import write_course
from tests.support.player import at_the_task_with, learn_app, on_top, play, prose
from tests.support.player_engine import REGISTRATION
from tests.support.ui import wait_for


def menu_options(app) -> list:
    menu = app.screen.query_one("#menu-list", OptionList)
    return [menu.get_option_at_index(i) for i in range(menu.option_count)]


def menu_lines(app) -> list[str]:
    """The lessons' lines (and broken lessons'), without the group headings."""
    return [str(option.prompt) for option in menu_options(app) if not option.disabled]


def menu_detail(app) -> str:
    return app.screen.query_one("#menu-detail-text", Markdown).source


@pytest.mark.slow
def test_the_menu_lists_lessons_in_order_with_progress_and_resume_opens_the_last_one():
    at_the_task_with(REGISTRATION.starter)  # registration in progress
    store = ProgressStore()
    store.update("objects", lambda p: setattr(p, "solved", True))
    app, _ = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        lines = menu_lines(app)
        titles = [line.split(". ", 1)[1].split("  ")[0] for line in lines]
        assert titles == [lesson.title for lesson in load_catalog().lessons]
        assert titles[:3] == [
            "A model is an object", "What a network is made of", "Registration: how a model finds its parts"]
        assert "solved" in lines[0] and "not started" in lines[1] and "in progress" in lines[2]
        assert "you were here" in lines[2]
        assert "Three bugs, three rules" in menu_detail(app)  # highlighted: where the learner was
        await pilot.press("c")
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.lesson.id == "registration" and lesson.session.step.id == "fix"
        await pilot.press("alt+l")  # back to the menu, from the editor
        await on_top(pilot, app, LessonMenuScreen)

    play(app, scenario)


@pytest.mark.slow
def test_a_restarted_app_resumes_the_lesson_at_the_saved_step_with_the_draft():
    app, _ = learn_app(None, "registration")
    typed = "# my notes\n"

    async def first(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        await pilot.press("n")
        await on_top(pilot, app, PredictionScreen)
        await pilot.press("2", "3")
        await wait_for(pilot, lambda: app.screen.phase == "reveal", what="the reveal")
        await pilot.press("enter")
        await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.focus()
        lesson.workspace.editor.move_cursor((0, 0))
        await pilot.press(*typed.replace("\n", ""), "enter")
        await pilot.press("ctrl+q")  # quits at once: the draft is written on the way out

    play(app, first)
    assert ProgressStore().get("registration").draft == typed + REGISTRATION.starter

    again, _ = learn_app()

    async def second(pilot):
        await on_top(pilot, again, LessonMenuScreen)
        assert "you were here" in menu_lines(again)[2]
        await pilot.press("enter")  # the highlighted lesson is the one to resume
        lesson = await on_top(pilot, again, LessonScreen)
        assert lesson.session.step.id == "super-first"
        assert lesson.workspace.source == typed + REGISTRATION.starter
        await pilot.pause(0.3)
        assert isinstance(again.screen, LessonScreen)  # answered before: not asked again
        assert "You answered **AttributeError" in prose(again)

    play(again, second)


def test_a_broken_lesson_is_listed_with_its_message_and_the_others_still_open(tmp_path):
    folder = tmp_path / "lessons"
    shutil.copytree(builtin_lessons_dir() / "objects", folder / "objects")
    (folder / "half-written").mkdir()
    (folder / "half-written" / "lesson.toml").write_text('id = "half"\ntitle = "Half written"\ncolour = 3\n')
    app, _ = learn_app(folder)

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        lines = menu_lines(app)
        assert len(lines) == 2 and "A model is an object" in lines[0]
        assert "Half written" in lines[1] and "broken" in lines[1]
        headings = [str(option.prompt) for option in menu_options(app) if option.disabled]
        assert headings == ["Lessons", "Broken"]  # no course file: one heading; a broken lesson is in no group
        await pilot.press("down")
        detail = menu_detail(app)
        assert "Broken lesson: Half written" in detail
        assert f"{folder / 'half-written' / 'lesson.toml'}:3: colour: " in detail
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LessonMenuScreen)
        assert "broken" in "\n".join(n.message for n in app._notifications)
        await pilot.press("up", "enter")
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.lesson.id == "objects"

    play(app, scenario)


def test_learn_with_a_missing_lesson_folder_says_so_and_exits_2(tmp_path, capsys):
    code = launch.learn(argparse.Namespace(lesson_id=None, lessons=str(tmp_path / "nowhere")))
    assert code == 2
    assert "nowhere does not exist" in capsys.readouterr().err


def answered_wrong(lesson_id: str, prediction_id: str, choice: str, confidence: int, printed: str) -> None:
    lesson = load_catalog().get(lesson_id)
    session = LessonSession(lesson, ProgressStore(), resume_here=False)
    session.answer(prediction_id, choice, confidence)
    session.reveal(prediction_id, Report(ok=True, stdout=printed))


@pytest.mark.slow
def test_the_review_round_comes_first_confident_mistakes_first_and_each_question_can_be_skipped():
    answered_wrong("anatomy", "q-count", "twelve", 1, "total: 15\nfifteen\n")
    answered_wrong("registration", "q-tensor", "one", 3, "parameters: 0\nzero\n")
    app, sandbox = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, ReviewScreen)
        await pilot.press("enter")
        ask = await on_top(pilot, app, PredictionScreen)
        assert "Review 1 of 2" in ask.title_text and "Registration" in ask.title_text
        assert ask.prediction.id == "q-tensor"  # answered with certainty: first
        await pilot.press("2", "2")
        await wait_for(pilot, lambda: ask.phase == "reveal", what="the reveal")
        assert ask.reveal.correct
        assert sandbox.runs[-1]["source"] == REGISTRATION.prediction("q-tensor").observe
        await pilot.press("enter")
        second = await on_top(pilot, app, PredictionScreen)
        assert second is not ask and second.prediction.id == "q-count"
        await pilot.press("escape")  # skip this one
        await on_top(pilot, app, LessonMenuScreen)
        assert [i.prediction_id for i in app.store.review_queue()] == ["q-count"]

    play(app, scenario)


@pytest.mark.slow
def test_the_whole_review_round_can_be_skipped():
    answered_wrong("registration", "q-tensor", "one", 3, "parameters: 0\nzero\n")
    app, sandbox = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, ReviewScreen)
        await pilot.press("escape")
        await on_top(pilot, app, LessonMenuScreen)
        assert [i.prediction_id for i in app.store.review_queue()] == ["q-tensor"]

    play(app, scenario)


def test_a_lessons_limits_apply_to_its_runs(tmp_path):
    folder = tmp_path / "lessons"
    shutil.copytree(builtin_lessons_dir() / "objects", folder / "objects")
    toml = folder / "objects" / "lesson.toml"
    toml.write_text(toml.read_text() + "\n[limits]\nwall = 20\nmemory_mb = 3072\n")
    catalog = load_catalog(folder)
    session = LessonSession(catalog.get("objects"), ProgressStore())
    for prediction in session.lesson.predictions:  # nothing left that a run would give away
        session.answer(prediction.id, prediction.choices[0].id, 1)
    app, sandbox = learn_app(folder, "objects")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: sandbox.runs, what="a run")
        run = sandbox.runs[-1]
        assert run["limits"] == Limits(wall=20, memory_mb=3072)
        assert run["timeout"] == 20

    play(app, scenario)


@pytest.mark.slow
def test_a_lessons_draft_runs_ask_for_its_checks_expressions(tmp_path):
    folder = tmp_path / "lessons"
    shutil.copytree(builtin_lessons_dir() / "objects", folder / "objects")
    toml = folder / "objects" / "lesson.toml"
    toml.write_text(toml.read_text() + textwrap.dedent('''
        [[checks]]
        id = "weight-shape"
        kind = "value"
        expr = "list(model.fc.weight.shape)"
        equals = [2, 4]
        label = "The weight has the right shape"
        fail = "It is {actual}."
        '''))
    catalog = load_catalog(folder)
    assert not catalog.broken, catalog.errors
    session = LessonSession(catalog.get("objects"), ProgressStore())
    for prediction in session.lesson.predictions:
        session.answer(prediction.id, prediction.choices[0].id, 1)
    app, sandbox = learn_app(folder, "objects")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.focus()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: sandbox.runs, what="a run")
        asked = sandbox.runs[-1]["evaluate"]
        assert asked == expressions(session.lesson.checks)
        assert asked[-1] == "list(model.fc.weight.shape)"

    play(app, scenario)


@pytest.mark.slow
def test_every_lesson_key_has_an_id_is_in_the_help_and_can_be_remapped(modbox_home):
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text('"lesson.hint" = "f8"\n')
    app, _ = learn_app(None, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        assert all(b.id for b in LessonScreen.BINDINGS + LessonMenuScreen.BINDINGS
                   + PredictionScreen.BINDINGS + ReviewScreen.BINDINGS)
        assert not app.keymap_problems
        lesson.query_one("#lesson-prose").focus()
        await pilot.press("h")  # remapped away
        assert "Hint 1" not in prose(app)
        await pilot.press("f8")
        assert "Hint 1" in prose(app)
        await pilot.press("f1")
        help_screen = await on_top(pilot, app, HelpScreen)
        ids = {b.id for _, bs in help_screen.sections for b in bs}
        assert {"lesson.next", "lesson.prev", "lesson.hint", "lesson.solution", "lesson.predict",
                "lesson.reset", "lesson.menu", "menu.resume", "menu.reset_all",
                "prediction.pick_1", "review.skip"} <= ids

    play(app, scenario)


@pytest.mark.slow
def test_the_menu_resets_all_progress_after_a_confirmation():
    at_the_task_with(REGISTRATION.solution)
    app, _ = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        await pilot.press("X")
        await wait_for(pilot, lambda: not isinstance(app.screen, LessonMenuScreen), what="the question")
        await pilot.click("#yes")
        await on_top(pilot, app, LessonMenuScreen)
        assert ProgressStore().all() == {}
        assert all("not started" in line for line in menu_lines(app))

    play(app, scenario)


@pytest.mark.slow
def test_a_lessons_question_is_asked_once_the_review_round_in_front_of_it_is_done():
    answered_wrong("anatomy", "q-count", "twelve", 3, "total: 15\nfifteen\n")
    at_the_task_with(REGISTRATION.starter)
    store = ProgressStore()
    store.update("registration", lambda p: setattr(p, "step", "super-first"))
    store.update("registration", lambda p: p.predictions.pop("q-early"))
    app, _ = learn_app(None, "registration")

    async def scenario(pilot):
        await on_top(pilot, app, ReviewScreen)
        await pilot.press("escape")
        ask = await on_top(pilot, app, PredictionScreen)
        assert ask.prediction.id == "q-early"

    play(app, scenario)


def test_a_damaged_progress_file_is_kept_aside_and_the_learner_told(modbox_home):
    progress = modbox_home / "data" / "progress.json"
    progress.parent.mkdir(parents=True)
    progress.write_text("{ half a file")
    app, _ = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        told = "\n".join(n.message for n in app._notifications)
        assert "could not be read" in told and "fresh one" in told
        assert len(menu_lines(app)) == len(load_catalog().lessons)
        assert list(progress.parent.glob("progress.json.corrupt-*"))

    play(app, scenario)


@pytest.mark.slow
def test_the_command_palette_offers_the_lesson_actions():
    app, _ = learn_app(None, "registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        titles = [c.title for c in app.get_system_commands(lesson)]
        assert {"Lesson: next step", "Lesson: hint", "Lesson: solution", "Lessons"} <= set(titles)
        hint = next(c for c in app.get_system_commands(lesson) if c.title == "Lesson: hint")
        hint.callback()
        assert REGISTRATION.hints[0] in prose(app)

    play(app, scenario)


def test_a_lesson_for_another_torch_is_marked_and_an_unknown_id_is_explained(tmp_path):
    folder = tmp_path / "lessons"
    shutil.copytree(builtin_lessons_dir() / "objects", folder / "objects")
    toml = folder / "objects" / "lesson.toml"
    toml.write_text(toml.read_text().replace('torch = ">=2.4"', 'torch = ">=99"'))
    app, _ = learn_app(folder, "no-such-lesson")

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        assert "needs torch >=99" in menu_lines(app)[0]
        assert "needs torch >=99; torch 2.13" in menu_detail(app)
        told = "\n".join(n.message for n in app._notifications)
        assert "There is no lesson 'no-such-lesson'. Lessons: objects." in told

    play(app, scenario)


@pytest.mark.slow
def test_a_revealed_prediction_can_be_run_again_and_play_mode_opens_from_the_menu():
    at_the_task_with(REGISTRATION.starter)
    store = ProgressStore()
    store.update("registration", lambda p: setattr(p, "step", "plain-tensor"))
    app, sandbox = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        await pilot.press("c")
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.session.step.id == "plain-tensor"
        lesson.query_one("#lesson-prose").focus()
        await pilot.press("a")  # answered already: the experiment runs again, the answer stands
        ask = await on_top(pilot, app, PredictionScreen)
        await wait_for(pilot, lambda: ask.phase == "reveal", what="the reveal")
        assert ask.reveal.choice.id == "zero" and ask.reveal.correct
        assert sandbox.runs[-1]["source"] == REGISTRATION.prediction("q-tensor").observe
        await pilot.press("escape")
        await pilot.press("l")
        await on_top(pilot, app, LessonMenuScreen)
        await pilot.press("e")
        play_screen = await on_top(pilot, app, ExperimentScreen)
        play_screen.workspace.editor.focus()
        await pilot.press("alt+l")
        await on_top(pilot, app, LessonMenuScreen)

    play(app, scenario)


def test_the_lesson_player_never_imports_torch_in_the_ui_process():
    code = (
        "import sys\n"
        "import modbox.ui.learn_app, modbox.ui.launch, modbox.ui.screens.review\n"
        "from modbox.lessons.session import sandbox_limits\n"
        "from modbox.lessons.loader import load_catalog\n"
        "from modbox.lessons.model import Limits\n"
        "import dataclasses\n"
        "lesson = dataclasses.replace(load_catalog().lessons[0], limits=Limits(wall=5))\n"
        "sandbox_limits(lesson)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.slow
def test_the_menu_shows_the_basics_first_under_headings_and_a_heading_cannot_be_opened(tmp_path):
    folder = tmp_path / "lessons"
    for name in ("objects", "registration"):
        shutil.copytree(builtin_lessons_dir() / name, folder / name)
    write_course(folder, {"The basics": ["registration"], "In real code": ["objects"]})
    toml = folder / "registration" / "lesson.toml"
    toml.write_text(toml.read_text().replace('requires = ["anatomy"]\n', ""))
    app, _ = learn_app(folder)

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        shown = [(option.disabled, str(option.prompt)) for option in menu_options(app)]
        assert [(disabled, line.strip().split("  ")[0 if disabled else 1]) for disabled, line in shown] == [
            (True, "The basics"), (False, "1. Registration: how a model finds its parts"),
            (True, "In real code"), (False, "2. A model is an object")]
        menu = app.screen.query_one("#menu-list", OptionList)
        assert menu.highlighted == 1, shown  # the first basic lesson, not a heading
        assert "## Registration" in menu_detail(app)
        await pilot.press("down")  # the heading between is skipped: nothing to open there
        assert menu.highlighted == 3
        await pilot.press("up")
        assert menu.highlighted == 1
        await pilot.press("down", "enter")
        lesson = await on_top(pilot, app, LessonScreen)
        assert lesson.lesson.id == "objects"

    play(app, scenario)


def test_a_progress_file_of_unreadable_bytes_is_kept_aside_and_the_menu_opens(modbox_home):
    progress = modbox_home / "data" / "progress.json"
    progress.parent.mkdir(parents=True)
    progress.write_bytes(b'{"format": 1, "lessons": {"\xff\xfe": {}}}')
    app, _ = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, LessonMenuScreen)
        told = "\n".join(n.message for n in app._notifications)
        assert "bytes that are not text" in told and "fresh one" in told
        (kept,) = progress.parent.glob("progress.json.corrupt-*")
        assert kept.read_bytes() == b'{"format": 1, "lessons": {"\xff\xfe": {}}}' and str(kept) in told
        assert len(menu_lines(app)) == len(load_catalog().lessons)

    play(app, scenario)


def footer_actions(app) -> set[str]:
    return {b.action for _, b, enabled, _ in app.screen.active_bindings.values() if b.show and enabled}


def test_the_menu_offers_resume_only_once_there_is_progress_to_resume():
    app, _ = learn_app()

    async def scenario(pilot):
        menu = await on_top(pilot, app, LessonMenuScreen)
        assert "resume" not in footer_actions(app)
        await pilot.press("enter")  # open the first lesson: now there is a place to come back to
        await wait_for(pilot, lambda: app.screen is not menu, what="the lesson")
        while app.screen is not menu:
            app.pop_screen()
            await pilot.pause()
        await wait_for(pilot, lambda: "resume" in footer_actions(app), what="Resume in the footer")

    play(app, scenario)


def test_a_review_question_is_drawn_without_the_review_intro_behind_it(modbox_home):
    from tests.support.ui import screen_text

    answered_wrong("registration", "q-tensor", "one", 3, "parameters: 0\nzero\n")
    answered_wrong("anatomy", "q-count", "twelve", 1, "total: 15\nfifteen\n")
    app, _ = learn_app()

    async def scenario(pilot):
        await on_top(pilot, app, ReviewScreen)
        assert "A quick review" in screen_text(app)
        await pilot.press("enter")
        await on_top(pilot, app, PredictionScreen)
        await pilot.pause()
        shown = screen_text(app)
        assert "Review 1 of 2" in shown
        assert "A quick review" not in shown and "Answering again" not in shown, shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Review 2 of 2" in screen_text(app), what="the second question")
        assert "A quick review" not in screen_text(app)

    play(app, scenario)
