"""The tab bar over the panes: every pane's title on one line, the bar under them marking the
pane shown.

One widget draws them all. Textual's TabbedContent is nineteen widgets for seven panes (a tab
each, three containers, an underline, a switcher and a holder per pane), each styled, laid out
and drawn on its own: they were a tenth of modbox's first frame. It looks and works as
Textual's tabs do: left and right move to the next tab where it has the focus, a click picks a
tab, the bar shows which one is shown. The Workspace shows the pane it is told of
(``Activated``).
"""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.renderables.bar import Bar
from textual.widget import Widget

from modbox.ui.widgets.hover import HoverTracking

TAB_PADDING = 1  # a space each side of a title


class PaneTabs(HoverTracking, Widget, can_focus=True):
    """The tabs of ``titles`` (a pane's name to its title), ``active`` the one shown."""

    ALLOW_SELECT = False
    BINDINGS = [
        Binding("left", "step(-1)", "Previous pane", show=False),
        Binding("right", "step(1)", "Next pane", show=False),
    ]
    COMPONENT_CLASSES = {"pane-tabs--tab", "pane-tabs--active", "pane-tabs--hover", "pane-tabs--bar"}
    # Textual's Tabs, Tab and Underline styles, for one widget
    DEFAULT_CSS = """
    PaneTabs {
        width: 1fr;
        height: 2;
        .pane-tabs--tab {
            color: $foreground 50%;
        }
        .pane-tabs--hover {
            color: $foreground;
        }
        .pane-tabs--active {
            color: $foreground;
        }
        .pane-tabs--bar {
            color: $block-cursor-background;
            background: $foreground 10%;
        }
        &:focus {
            .pane-tabs--active {
                text-style: $block-cursor-text-style;
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
            .pane-tabs--bar {
                background: $foreground 30%;
            }
        }
        &:ansi {
            .pane-tabs--tab {
                text-style: dim;
            }
            .pane-tabs--active {
                text-style: not dim bold;
            }
            .pane-tabs--bar {
                background: $border-blurred;
            }
        }
    }
    """

    class Activated(Message):
        """The learner picked the tab of pane ``pane`` (a click, or left and right)."""

        def __init__(self, tabs: PaneTabs, pane: str):
            super().__init__()
            self.tabs = tabs
            self.pane = pane

        @property
        def control(self) -> PaneTabs:
            return self.tabs

    def __init__(self, titles: dict[str, str], active: str, **kwargs):
        super().__init__(**kwargs)
        self.titles = titles
        self._active = active
        self._spans: dict[str, tuple[int, int]] = {}  # each tab's columns, end not included
        x = 0
        for name, title in titles.items():
            width = len(title) + 2 * TAB_PADDING
            self._spans[name] = (x, x + width)
            x += width

    @property
    def active(self) -> str:
        return self._active

    @active.setter
    def active(self, name: str) -> None:
        """Mark ``name`` as the pane shown (the Workspace shows it; no message is posted)."""
        if name not in self.titles:
            raise ValueError(f"no pane called {name!r}")
        if name != self._active:
            self._active = name
            self.refresh()

    def render(self) -> Group:
        tab = self.get_component_rich_style("pane-tabs--tab")
        shown = self.get_component_rich_style("pane-tabs--active")
        hover = self.get_component_rich_style("pane-tabs--hover")
        titles = Text(no_wrap=True)
        for name, title in self.titles.items():
            style = shown if name == self._active else hover if name == self.hovered else tab
            titles.append(f"{' ' * TAB_PADDING}{title}{' ' * TAB_PADDING}", style=style)
        bar = self.get_component_rich_style("pane-tabs--bar")
        start, end = self._spans[self._active]
        # under the title, not its padding, as Textual's Tabs
        return Group(titles, Bar(highlight_range=(start + TAB_PADDING, end - TAB_PADDING),
                                 highlight_style=Style.from_color(bar.color),
                                 background_style=Style.from_color(bar.bgcolor)))

    def item_at(self, x: int, y: int) -> str | None:
        """The tab whose title, or the bar under it, is at ``x``."""
        return next((name for name, (start, end) in self._spans.items() if start <= x < end), None)

    def _pick(self, name: str) -> None:
        self.active = name
        self.post_message(self.Activated(self, name))

    def action_step(self, step: int) -> None:
        names = list(self.titles)
        self._pick(names[(names.index(self._active) + step) % len(names)])

    def on_click(self, event: events.Click) -> None:
        name = self.item_at(event.x, event.y)
        if name is not None:
            self._pick(name)
