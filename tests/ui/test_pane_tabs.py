"""The tab bar over the panes: a click, left and right where it has the focus, and the pane keys
(alt+1..7, f2) show a pane and move the tab marker and the bar under it there."""

from __future__ import annotations

from modbox.ui.widgets.pane_tabs import PaneTabs
from modbox.ui.workspace import PANE_TITLES, PANES
from tests.support.ui import drive, scripted_app, screen_text, wait_for


def tab_row(app) -> tuple[str, str, int]:
    """The tab bar as drawn: its titles, its bar, and where the bar's highlight starts."""
    tabs = app.screen.query_one(PaneTabs)
    lines = screen_text(app).splitlines()[tabs.region.y:tabs.region.y + 2]
    titles, bar = (line[tabs.region.x:tabs.region.right] for line in lines)
    # the highlighted stretch is drawn whole ("━"), the rest is cut round it ("╸", "╺")
    start = bar.index("╸") + 1 if "╸" in bar else 0
    return titles, bar, start


def shown_panes(app) -> list[str]:
    return [pane.id for pane in app.workspace.query_one("#panes").children if pane.display]


def title_x(app, name: str) -> int:
    titles, _, _ = tab_row(app)
    return titles.index(PANE_TITLES[name])


async def showing(pilot, app, name: str) -> None:
    await wait_for(pilot, lambda: shown_panes(app) == [name] and app.workspace.active_pane == name
                   and tab_row(app)[2] == title_x(app, name), what=f"the {name} pane and its tab")


def test_every_title_is_drawn_and_the_bar_is_under_the_pane_shown():
    app, _ = scripted_app()

    async def scenario(pilot):
        titles, bar, start = tab_row(app)
        assert titles.split() == [PANE_TITLES[name] for name in PANES]
        assert set(bar) <= {"━", "╸", "╺"} and start == title_x(app, "modules")
        assert shown_panes(app) == ["modules"]

    drive(app, scenario)


def test_a_click_on_a_title_shows_its_pane():
    app, _ = scripted_app()

    async def scenario(pilot):
        for name in ("hooks", "values", "modules", "state_dict"):
            await pilot.click(PaneTabs, offset=(title_x(app, name) + 1, 0))
            await showing(pilot, app, name)
        assert "model" in screen_text(app)  # the state_dict pane shows the report's tensors

    drive(app, scenario)


def test_left_and_right_move_between_panes_where_the_tabs_have_the_focus():
    app, _ = scripted_app()

    async def scenario(pilot):
        app.screen.query_one(PaneTabs).focus()
        await pilot.press("right")
        await showing(pilot, app, PANES[1])
        await pilot.press("left", "left")  # from the first, round to the last
        await showing(pilot, app, PANES[-1])
        await pilot.press("right")
        await showing(pilot, app, PANES[0])
        source = app.workspace.source
        await pilot.press("right")
        assert app.workspace.source == source  # the keys never reach the editor

    drive(app, scenario)


def test_the_pane_keys_move_the_tab_marker_too():
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("alt+4")
        await showing(pilot, app, "hooks")
        await pilot.press("f2")
        await showing(pilot, app, "findings")
        await pilot.press("shift+f2", "shift+f2")
        await showing(pilot, app, "state_dict")

    drive(app, scenario)


def test_the_title_under_the_mouse_is_highlighted():
    app, _ = scripted_app()

    async def scenario(pilot):
        tabs = app.screen.query_one(PaneTabs)
        at = (tabs.region.x + title_x(app, "values") + 1, tabs.region.y)
        before = app.screen.get_style_at(*at).color
        await pilot.hover(PaneTabs, offset=(title_x(app, "values") + 1, 0))
        await wait_for(pilot, lambda: app.screen.get_style_at(*at).color != before, what="the highlight")
        await pilot.hover(PaneTabs, offset=(title_x(app, "hooks") + 1, 0))
        await wait_for(pilot, lambda: app.screen.get_style_at(*at).color == before, what="no highlight")

    drive(app, scenario)
