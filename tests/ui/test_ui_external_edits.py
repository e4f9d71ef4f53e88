"""The learner's own editor: a file open in ``modbox play`` (and a lesson's draft file) picks up
what another program writes to it, runs it, and never loses a version when both changed."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Button

from modbox.ui.widgets.dialogs import ConfirmScreen
from tests.support.ui import drive, scripted_app, wait_for, wait_for_report

FIRST = "import torch\nfrom torch import nn\nfc1 = nn.Linear(4, 8)\n"
SECOND = FIRST + "fc2 = nn.Linear(8, 2)\n"


def write_like_an_editor(path, text):
    """Write as editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text)
    os.replace(tmp, path)


def test_a_file_written_by_another_program_is_reloaded_and_run(tmp_path):
    target = tmp_path / "model.py"
    target.write_text(FIRST)
    app, sandbox = scripted_app(file=target)

    async def scenario(pilot):
        ws = app.workspace
        write_like_an_editor(target, SECOND)
        await wait_for(pilot, lambda: ws.source == SECOND, what="the reload")
        report = await wait_for_report(pilot, 1)
        assert [m.path for m in report.models[0].modules][1:] == ["fc1", "fc2"]
        assert sandbox.runs[-1]["source"] == SECOND
        assert not app.screen.modified
        await pilot.press("ctrl+end", *"x = 1")
        await pilot.press("ctrl+s")  # modbox's own save is not mistaken for another program's
        await pilot.pause(0.5)
        assert not isinstance(app.screen, ConfirmScreen)
        assert target.read_text().startswith(SECOND)

    drive(app, scenario)


async def change_here_and_on_disk(pilot, target: Path) -> None:
    """Type "mine = 1" at the end, then let another editor write SECOND: the app asks."""
    await pilot.press("ctrl+end", *"mine = 1")
    write_like_an_editor(target, SECOND)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), what="the question")
    await pilot.pause()


def test_when_both_changed_the_learner_chooses_and_the_other_version_is_kept(tmp_path, modbox_home):
    target = tmp_path / "model.py"
    target.write_text(FIRST)
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        await change_here_and_on_disk(pilot, target)
        assert "model.py changed on disk" in app.screen.question
        app.screen.query_one("#yes", Button).press()  # the file on disk
        await wait_for(pilot, lambda: app.workspace is not None and app.workspace.source == SECOND,
                       what="the disk's text")
        (kept,) = (modbox_home / "data" / "kept").iterdir()
        assert kept.read_text() == FIRST + "mine = 1"

    drive(app, scenario)


def test_keeping_my_version_leaves_the_disk_alone_until_i_save(tmp_path):
    target = tmp_path / "model.py"
    target.write_text(FIRST)
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        await change_here_and_on_disk(pilot, target)
        app.screen.query_one("#no", Button).press()  # mine
        await pilot.pause()
        assert app.workspace.source == FIRST + "mine = 1" and app.screen.modified
        assert target.read_text() == SECOND
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: target.read_text() == FIRST + "mine = 1", what="the save")

    drive(app, scenario)


def test_a_lessons_draft_file_follows_both_ways_and_the_help_says_where_it_is(modbox_home):
    from modbox.ui.screens.help import HelpScreen
    from modbox.ui.screens.lesson import LessonScreen, lesson_draft_file
    from tests.support.player import at_the_task_with, learn_app, on_top, play, settled
    from tests.support.player_engine import LESSONS, REGISTRATION

    at_the_task_with(REGISTRATION.starter)
    app, sandbox = learn_app(LESSONS, "registration")
    path = lesson_draft_file("registration")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        await settled(pilot, lesson, REGISTRATION.starter)
        assert path.read_text() == REGISTRATION.starter
        write_like_an_editor(path, REGISTRATION.solution)
        await wait_for(pilot, lambda: lesson.workspace.source == REGISTRATION.solution, what="the reload")
        await wait_for(pilot, lambda: sandbox.runs and sandbox.runs[-1]["source"] == REGISTRATION.solution,
                       what="the run of the file's text")
        await wait_for(pilot, lambda: app.store.get("registration").draft == REGISTRATION.solution,
                       what="the draft saved")
        lesson.workspace.editor.insert("# typed here\n", (0, 0))
        await wait_for(pilot, lambda: path.read_text().startswith("# typed here\n"), what="the file")
        await pilot.press("f1")
        help_screen = await on_top(pilot, app, HelpScreen)
        assert str(path) in help_screen.files_note

    play(app, scenario)
