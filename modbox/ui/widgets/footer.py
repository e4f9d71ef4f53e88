"""The footer: the keys that work where the focus is, on as many lines as they need.

One widget draws every key. Textual's Footer is a widget per key, each styled, laid out and
drawn on its own, and rebuilt whenever the screen's bindings change (several times while a
screen opens): its eleven keys were a tenth of modbox's first frame. Textual's Footer is also
one line, and on a narrow terminal the keys that do not fit are cut off (at 80 columns a
lesson's footer ended in "alt+s Soluti", and quit and help were gone). This one lays its keys
out in a grid of as many lines as they need at the terminal's width.

It shows what Textual's Footer shows: the first binding of each action that asks to be shown,
dimmed where the action is disabled, and the command palette's key on the right. A click on a
key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from modbox.ui.widgets.hover import HoverTracking

# Columns a key takes besides its name and description: a space each side of the name and one
# after the description; the command palette's key has a bar before it and one space each side.
KEY_PADDING = 3
PALETTE_BAR = "▏"


class Key(NamedTuple):
    key: str  # what simulate_key presses
    display: str  # how the key is written ("^s", "alt+n")
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return cell_len(self.display) + cell_len(self.description) + KEY_PADDING


class Spot(NamedTuple):
    """Where a key is drawn: line ``y``, columns ``start`` to ``end`` (not included)."""
    y: int
    start: int
    end: int
    key: Key


def columns_for(widths: list[int], room: int) -> int:
    """The most columns keys of ``widths`` can be laid out in, in order, row after row, each
    column as wide as its widest key, within ``room`` columns of the terminal (at least one)."""
    for count in range(len(widths), 1, -1):
        if sum(max(widths[column::count]) for column in range(count)) <= room:
            return count
    return 1


def lay_out(keys: tuple[Key, ...], palette: Key | None, width: int) -> list[Spot]:
    """The keys in a grid of as many lines as they need in ``width`` columns, the palette's key
    at the right end of the first line."""
    room = width - (palette.width if palette else 0)
    count = columns_for([k.width for k in keys], room) if keys else 1
    column_widths = [max(k.width for k in keys[column::count]) for column in range(count)] if keys else []
    spots = []
    for index, key in enumerate(keys):
        y, column = divmod(index, count)
        start = sum(column_widths[:column])
        spots.append(Spot(y, start, start + key.width, key))
    if palette is not None:
        spots.append(Spot(0, width - palette.width, width, palette))
    return spots


class Footer(HoverTracking, Widget, can_focus=False):
    """The keys the screen's active bindings show (``Binding.show``), drawn by one widget."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--hover", "footer--bar"}
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: auto;
        text-wrap: nowrap;
        color: $footer-foreground;
        background: $footer-background;
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--hover {
            background: $block-hover-background;
        }
        .footer--bar {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._shown: tuple[tuple[Key, ...], Key | None] | None = None
        self._spots: list[Spot] = []
        self._width = 0  # the terminal's, when the keys were laid out

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    @property
    def keys(self) -> tuple[Key, ...]:
        """The keys shown, the command palette's last."""
        if self._shown is None:
            return ()
        keys, palette = self._shown
        return (*keys, palette) if palette else keys

    def _keys_now(self) -> tuple[tuple[Key, ...], Key | None]:
        """The keys the screen's bindings show now, and the command palette's key."""
        app = self.app
        keys: dict[str, Key] = {}
        palette = None
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            shown = Key(key, app.get_key_display(binding), binding.description, enabled)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = shown
            elif binding.show:
                keys.setdefault(binding.action, shown)  # an action's first key, as Textual's Footer
        return tuple(keys.values()), palette

    def _bindings_changed(self, screen: Screen) -> None:
        # While the terminal has no focus Textual takes the focus off the widget that had it, and
        # the keys would flicker to the screen's own; they are kept until the focus is back.
        if self._shown is not None and not self.app.app_focus:
            return
        shown = self._keys_now()
        if shown != self._shown:
            lines = self._lines()
            self._show(shown)
            self.refresh(layout=self._lines() != lines)

    def _show(self, shown: tuple[tuple[Key, ...], Key | None]) -> None:
        self._shown = shown
        self._width = self.app.size.width
        self._spots = lay_out(*shown, self._width)

    def _lines(self) -> int:
        return 1 + max((s.y for s in self._spots), default=0)

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and self.app.size.width != self._width:
            self._show(self._shown)  # the keys may fall on other lines now
            self.refresh(layout=True)

    def render(self) -> Text:
        if self._shown is None:
            self._show(self._keys_now())
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        hover = self.get_component_rich_style("footer--hover", partial=True)
        bar = self.get_component_rich_style("footer--bar")
        lines = [Text() for _ in range(self._lines())]
        for spot in sorted(self._spots, key=lambda s: (s.y, s.start)):
            key = spot.key
            look = (hover if key == self.hovered else Style()) + (Style() if key.enabled else Style(dim=True))
            if key is self._shown[1]:  # the palette's key: a bar, then compact
                drawn = Text.assemble((PALETTE_BAR, bar), (key.display, key_style + look),
                                      (f" {key.description} ", description_style + look))
            else:
                drawn = Text.assemble((f" {key.display} ", key_style + look),
                                      (f"{key.description} ", description_style + look))
            line = lines[spot.y]
            line.append(" " * (spot.start - line.cell_len))
            line.append_text(drawn)
        return Text("\n").join(lines)

    def item_at(self, x: int, y: int) -> Key | None:
        return next((s.key for s in self._spots if s.y == y and s.start <= x < s.end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.item_at(event.x, event.y)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
