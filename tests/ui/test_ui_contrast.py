"""Text contrast on screen, computed from the colours each character is drawn in: at least 4.5:1
(WCAG AA) against its background in the dark and the light theme, on every screen a learner
sees; without colour (NO_COLOR) the failing line is still marked by more than a shade."""

from __future__ import annotations

import pytest

from modbox.ui.contrast import TEXT_CHARACTER, DIM_FACTOR, MIN_CONTRAST, blend, contrast
from modbox.ui.screens.help import HelpScreen
from modbox.ui.workspace import PANES
from tests.support.ui import drive, scripted_app, wait_for, wait_for_report

MLP = ("import torch\nfrom torch import nn\n\nmodel = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), "
       "nn.Linear(8, 2))\nraise ValueError('no')\n")


def low_contrast(app) -> dict[str, float]:
    """Text drawn now below MIN_CONTRAST: {text: ratio}. Dim text counts as the blend toward
    the background that terminals draw it as; reversed text as its swapped colours."""
    default_bg = _rgb(app.get_css_variables()["background"])
    found = {}
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None or not TEXT_CHARACTER.search(segment.text) or style.color is None:
                continue
            fg = tuple(style.color.get_truecolor())
            bg = tuple(style.bgcolor.get_truecolor()) if style.bgcolor else default_bg
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:
                fg = blend(bg, fg, DIM_FACTOR)
            ratio = contrast(fg, bg)
            if ratio < MIN_CONTRAST:
                found[segment.text.strip()[:40]] = round(ratio, 2)
    return found


def _rgb(colour: str) -> tuple[int, int, int]:
    from textual.color import Color

    c = Color.parse(colour)
    return c.r, c.g, c.b


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_every_pane_and_the_help_read_at_4_5_to_1_in_both_themes(theme):
    app, _ = scripted_app()

    async def scenario(pilot):
        app.theme = theme
        ws = app.workspace
        ws.set_source(MLP)
        ws.run_now()
        await wait_for_report(pilot, 1)
        seen = {}
        for pane in PANES:
            ws.show_pane(pane)
            await pilot.pause()
            seen |= {f"{pane}: {k}": v for k, v in low_contrast(app).items()}
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        await pilot.pause()
        seen |= {f"help: {k}": v for k, v in low_contrast(app).items()}
        assert seen == {}

    drive(app, scenario)


def test_the_lesson_menu_and_a_lesson_read_at_4_5_to_1_in_the_light_theme():
    from tests.support.player import learn_app, on_top, play

    from modbox.ui.screens.lesson import LessonScreen
    from modbox.ui.screens.lesson_menu import LessonMenuScreen

    app, _ = learn_app(None, None)

    async def scenario(pilot):
        app.theme = "textual-light"
        await on_top(pilot, app, LessonMenuScreen)
        await pilot.pause()
        assert low_contrast(app) == {}
        await pilot.press("down", "down", "enter")
        await on_top(pilot, app, LessonScreen)
        await pilot.pause(0.3)
        assert low_contrast(app) == {}

    play(app, scenario)


def test_without_colour_the_failing_line_is_marked_by_a_glyph_and_reversed(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app, _ = scripted_app()

    async def scenario(pilot):
        assert app.no_color
        ws = app.workspace
        ws.set_source(MLP)
        ws.run_now()
        await wait_for_report(pilot, 1)
        assert ws.editor.error_line == 5
        marked = ws.editor.render_line(4)
        plain = ws.editor.render_line(3)
        gutter = ws.editor.gutter_width
        assert marked.crop(0, gutter).text.startswith("▶")
        assert not plain.crop(0, gutter).text.startswith("▶")
        assert any(seg.style and seg.style.reverse for seg in marked.crop(0, gutter))

    drive(app, scenario)
