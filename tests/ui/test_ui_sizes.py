"""Every size a learner's terminal is likely to have: 80x24, 100x30 (one part of the screen at a
time, f8 switches), 140x45 and 200x60 (side by side). What a lesson says can be read, its code
blocks keep their ends, every pane's tab is on screen."""

from __future__ import annotations

import pytest

from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.workspace import PANE_TITLES
from tests.support.player import learn_app, on_top
from tests.support.ui import drive, scripted_app, screen_text, wait_for

COMMENT_END = "# ['module.0.weight', 'module.0.bias']"


def lesson_on_screen(size, scenario):
    import asyncio

    app, _ = learn_app(None, "prefixed-keys")

    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            lesson = await on_top(pilot, app, LessonScreen)
            await pilot.pause(0.3)
            await scenario(pilot, app, lesson)

    asyncio.run(main())


def flat(text: str) -> str:
    """The screen with each line's edges and line breaks removed: wrapped text reads whole."""
    return "".join(line.strip(" │┃▌▐█") for line in text.splitlines())


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_a_narrow_terminal_shows_the_lesson_then_the_code_then_the_panes_full_width(size):
    async def scenario(pilot, app, lesson):
        width = size[0]
        prose = lesson.query_one("#lesson-prose")
        assert prose.region.width >= width - 2  # the lesson's text, full width
        await wait_for(pilot, lambda: shows_comment(app), what="the code block's end")
        assert app.focused is prose  # keys go to what is on screen
        await pilot.press("f8")
        editor = lesson.workspace.editor
        assert editor.region.width >= width - 2 and app.focused is editor
        await pilot.press("f8")
        shown = screen_text(app)
        for title in PANE_TITLES.values():
            assert title in shown, (title, shown)
        await pilot.press("f8")
        assert lesson.query_one("#lesson-prose").region.width >= width - 2

    lesson_on_screen(size, scenario)


def shows_comment(app) -> bool:
    """The lesson text, read across its wrapped lines, holds the code block's comment whole."""
    region = app.screen.query_one("#lesson-prose").region
    lines = screen_text(app).splitlines()[region.y:region.bottom]
    prose = "\n".join(line.ljust(region.right)[region.x:region.right] for line in lines)
    return COMMENT_END.replace(" ", "") in flat(prose).replace(" ", "")


def test_140x45_shows_the_lesson_beside_the_code_and_the_panes_in_the_lessons_place():
    async def scenario(pilot, app, lesson):
        assert lesson.query_one("#lesson-prose").region.width > 40
        assert lesson.workspace.editor.region.width >= 60
        await wait_for(pilot, lambda: shows_comment(app), what="the code block's end")
        await pilot.press("f8")
        assert lesson.query_one("#lesson-side").region.width == 0
        shown = screen_text(app)
        for title in PANE_TITLES.values():
            assert title in shown, (title, shown)
        await pilot.press("f8")
        assert lesson.query_one("#lesson-prose").region.width > 40

    lesson_on_screen((140, 45), scenario)


def test_200x60_shows_lesson_code_and_panes_side_by_side():
    async def scenario(pilot, app, lesson):
        assert lesson.query_one("#lesson-prose").region.width > 40
        assert lesson.workspace.editor.region.width >= 40
        assert lesson.query_one("#panes-side").region.width >= 60
        await wait_for(pilot, lambda: shows_comment(app), what="the code block's end")
        shown = screen_text(app)
        for title in PANE_TITLES.values():
            assert title in shown, (title, shown)
        assert "f8" not in shown  # nothing to switch: all of it is shown

    lesson_on_screen((200, 60), scenario)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_play_mode_on_a_narrow_terminal_switches_between_code_and_panes(size):
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        assert ws.editor.region.width >= size[0] - 2
        await pilot.press("f8")
        await wait_for(pilot, lambda: ws.query_one("#panes-side").region.width >= size[0] - 2,
                       what="the panes, full width")
        shown = screen_text(app)
        for title in PANE_TITLES.values():
            assert title in shown, (title, shown)
        await pilot.press("f8")
        assert ws.editor.region.width >= size[0] - 2

    drive(app, scenario, size=size)


def test_a_task_step_on_a_narrow_terminal_keeps_the_focus_on_what_is_shown():
    import asyncio

    from tests.support.player import at_the_task_with
    from tests.support.player_engine import LESSONS, REGISTRATION

    at_the_task_with(REGISTRATION.starter)
    app, _ = learn_app(LESSONS, "registration")

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            lesson = await on_top(pilot, app, LessonScreen)
            await pilot.pause()
            assert lesson.view == "lesson" and app.focused is lesson.query_one("#lesson-prose")
            await pilot.press("f8")
            assert app.focused is lesson.workspace.editor

    asyncio.run(main())


def footer_keys(app) -> list[str]:
    """The keys the footer offers now, as it writes them ("alt+s Solution"): the first key of
    each action (f1 for help, not also ?)."""
    first = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show:
            first.setdefault(binding.action, f"{app.get_key_display(binding)} {binding.description}")
    return list(first.values())


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_a_narrow_terminal_shows_the_whole_lesson_header_and_every_footer_key_in_each_part(size):
    async def scenario(pilot, app, lesson):
        header = lesson.query_one("#lesson-header")
        assert "hold alt" in str(header.render())
        for _ in lesson.views():  # the lesson's text, the code, the panes
            await pilot.pause(0.1)
            shown = screen_text(app)
            top = shown.splitlines()[header.region.y:header.region.bottom]
            assert str(header.render()).replace(" ", "") in flat("\n".join(top)).replace(" ", ""), shown
            keys = footer_keys(app)
            assert "^q Quit" in keys and "alt+s Solution" in keys and "f1 Help" in keys
            for key in keys:
                assert key in shown, (key, shown)
            await pilot.press("f8")

    lesson_on_screen(size, scenario)


def test_checks_longer_than_their_place_scroll_to_the_last_one_from_the_keyboard():
    import asyncio

    from tests.support.player import at_the_task_with
    from tests.support.player_engine import LESSONS, REGISTRATION

    at_the_task_with(REGISTRATION.starter)
    app, _ = learn_app(LESSONS, "registration")
    last = REGISTRATION.checks[-1].label

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            lesson = await on_top(pilot, app, LessonScreen)
            checks = lesson.query_one("#lesson-checks")
            await wait_for(pilot, lambda: checks.results is not None, what="the checks of a run")
            await pilot.pause(0.1)
            assert last not in screen_text(app)  # more checks than room for them
            for _ in range(4):
                if app.focused is checks:
                    break
                await pilot.press("tab")
            assert app.focused is checks
            await pilot.press("end")
            await pilot.pause(0.1)
            assert last in screen_text(app), screen_text(app)

    asyncio.run(main())


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_a_narrow_terminal_shows_a_prediction_whole_its_question_then_its_choices(size):
    import asyncio

    from modbox.ui.screens.prediction import PredictionScreen

    app, _ = learn_app(None, "objects")

    async def main():
        async with app.run_test(size=size) as pilot:
            lesson = await on_top(pilot, app, LessonScreen)
            await pilot.press("n")  # the second step asks before anything runs
            dialog = await on_top(pilot, app, PredictionScreen)
            await pilot.pause(0.2)
            shown = screen_text(app)
            question = [line.strip() for line in dialog.prediction.question.splitlines()
                        if line.strip() and not line.startswith("```")]
            for line in question + [choice.text for choice in dialog.prediction.choices]:
                assert line in shown, (line, shown)
            assert lesson.query_one("#lesson-prose").region.width >= size[0] - 2

    asyncio.run(main())


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_the_help_on_a_narrow_terminal_says_what_every_key_does_and_its_id_whole(size):
    from modbox.ui.screens.help import HelpScreen

    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        await pilot.pause(0.1)
        everywhere = app.screen.sections[0][1]
        shown = screen_text(app)
        for binding in everywhere:  # on one line: its keys, what it does, its id, none cut
            assert any(binding.description in line and binding.id in line
                       for line in shown.splitlines()), (binding.id, shown)
        await pilot.press("end")  # the last lines, by keyboard
        await pilot.pause(0.1)
        assert "Escape closes this screen." in screen_text(app)

    drive(app, scenario, size=size)


def test_a_terminal_made_narrow_takes_the_focus_off_the_part_it_hides():
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.show_pane("hooks")
        await pilot.pause()
        inside = ws.query_one("#hooks EventList")
        inside.focus()  # a widget inside a pane, not the tabs
        await pilot.pause()
        assert app.focused is inside
        await pilot.resize_terminal(80, 24)  # one part at a time: the code
        await wait_for(pilot, lambda: app.focused is ws.editor, what="the focus on the code")
        await pilot.press("f8")  # the panes: the focus goes to their tabs
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#pane-tabs"),
                       what="the focus on the tabs")

    drive(app, scenario)
