"""The footer: one widget that draws the keys of the screen's active bindings on as many lines
as they need, and presses a key that is clicked."""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from textual.app import App
from textual.binding import Binding
from textual.geometry import Region

from modbox.ui.screens.help import HelpScreen
from modbox.ui.widgets.footer import KEY_PADDING, Footer, Key, lay_out
from tests.support.ui import drive, scripted_app, wait_for


def keys(*pairs: tuple[str, str]) -> tuple[Key, ...]:
    return tuple(Key(display, display, description, True) for display, description in pairs)


PALETTE = Key("ctrl+p", "^p", "palette", True)
MANY = keys(("^f", "Find"), ("^g", "Go to line"), ("^r", "Run"), ("^l", "Live"), ("f2", "Next pane"),
            ("^s", "Save"), ("^o", "Open"), ("^n", "New from template"), ("^q", "Quit"), ("f1", "Help"))


def test_keys_that_fit_take_one_line_with_the_palette_key_at_its_right_end():
    spots = lay_out(MANY, PALETTE, 160)
    assert {s.y for s in spots} == {0}
    assert [s.key for s in spots] == [*MANY, PALETTE]
    assert spots[-1].end == 160 and spots[-1].start == 160 - PALETTE.width
    for before, after in zip(spots, spots[1:-1]):
        assert before.end == after.start  # side by side, in order


def test_keys_that_do_not_fit_wrap_onto_lines_in_aligned_columns_each_key_whole():
    for width in (40, 60, 80, 100):
        spots = lay_out(MANY, PALETTE, width)
        room = width - PALETTE.width
        keyed = [s for s in spots if s.key is not PALETTE]
        assert [s.key for s in keyed] == list(MANY)  # every key, in order
        assert max(s.end for s in keyed) <= room, width  # none cut, none under the palette's key
        assert len({s.y for s in keyed}) > 1, width
        columns = len([s for s in keyed if s.y == 0])
        for s in keyed:  # a column starts at the same place on every line
            assert s.start == keyed[MANY.index(s.key) % columns].start
            assert s.end - s.start == s.key.width


def test_a_key_wider_than_the_terminal_gets_a_line_of_its_own():
    wide = keys(("^a", "a" * 50), ("^b", "b"))
    spots = lay_out(wide, None, 30)
    assert [(s.y, s.start) for s in spots] == [(0, 0), (1, 0)]


def test_keys_are_measured_in_cells_so_wide_characters_keep_the_columns():
    wide = keys(("^a", "日本語"), ("^b", "b"), ("^c", "c"))
    assert wide[0].width == cell_len("^a") + cell_len("日本語") + KEY_PADDING == 11

    class WideApp(App):
        BINDINGS = [Binding("ctrl+a", "bell", "日本語"), Binding("ctrl+b", "quit", "Bee")]

        def compose(self):
            yield Footer()

    async def main():
        app = WideApp()
        async with app.run_test(size=(60, 10)) as pilot:
            await pilot.pause()
            [line] = footer_lines(app)
            assert " ^a 日本語 " in line and "^b Bee" in line
            # the palette's key ends at the right edge although the line holds wide characters
            assert line.endswith("▏^p palette ") and cell_len(line) == 60

    asyncio.run(main())


def footer_lines(app) -> list[str]:
    """What the footer draws, a line for each of its rows."""
    footer = app.screen.query_one(Footer)
    strips = footer.render_lines(Region(0, 0, *footer.size))
    return ["".join(segment.text for segment in strip) for strip in strips]


def offset_of(app, text: str) -> tuple[int, int]:
    """Where ``text`` starts in the footer (x, line)."""
    lines = footer_lines(app)
    for y, line in enumerate(lines):
        if text in line:
            return line.index(text), y
    raise AssertionError(f"{text!r} is not in the footer: {lines}")


def test_a_click_on_a_key_presses_it():
    app, _ = scripted_app()

    async def scenario(pilot):
        x, y = offset_of(app, "f1 Help")
        await pilot.click(Footer, offset=(x + 1, y))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")

    drive(app, scenario)


class DisabledApp(App):
    BINDINGS = [Binding("ctrl+t", "tick", "Tick"), Binding("ctrl+o", "other", "Other")]

    def __init__(self):
        super().__init__()
        self.ticks = self.bells = 0

    def compose(self):
        yield Footer()

    def check_action(self, action, parameters):
        return None if action == "tick" else True  # Textual: shown, but disabled

    def action_tick(self):
        self.ticks += 1

    def bell(self):
        self.bells += 1


def test_a_disabled_key_is_dimmed_and_a_click_on_it_rings_the_bell():
    async def main():
        app = DisabledApp()
        async with app.run_test(size=(80, 10)) as pilot:
            await pilot.pause()
            footer = app.query_one(Footer)
            tick = next(k for k in footer.keys if k.description == "Tick")
            other = next(k for k in footer.keys if k.description == "Other")
            assert not tick.enabled and other.enabled
            x, y = offset_of(app, "^t Tick")
            x_other, _ = offset_of(app, "^o Other")
            for column in (1, 4):  # the key, the description: drawn dim (Textual blends the colour)
                dimmed = app.screen.get_style_at(footer.region.x + x + column, footer.region.y + y)
                bright = app.screen.get_style_at(footer.region.x + x_other + column, footer.region.y + y)
                assert dimmed.color != bright.color and dimmed.bgcolor == bright.bgcolor
            await pilot.click(Footer, offset=(x, y))
            await pilot.pause()
            assert (app.ticks, app.bells) == (0, 1)

    asyncio.run(main())


def test_the_key_under_the_mouse_is_highlighted():
    app, _ = scripted_app()

    async def scenario(pilot):
        footer = app.screen.query_one(Footer)
        x, y = offset_of(app, "f1 Help")
        at = (footer.region.x + x + 3, footer.region.y + y)
        before = app.screen.get_style_at(*at).bgcolor
        await pilot.hover(Footer, offset=(x + 3, y))
        await wait_for(pilot, lambda: app.screen.get_style_at(*at).bgcolor != before, what="the highlight")
        x_save, _ = offset_of(app, "^s Save")
        assert app.screen.get_style_at(footer.region.x + x_save + 3, footer.region.y + y).bgcolor == before

    drive(app, scenario)
