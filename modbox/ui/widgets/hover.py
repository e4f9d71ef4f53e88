"""The one item under the mouse, for widgets that draw several clickable items themselves."""

from __future__ import annotations

from typing import Any

from textual import events


class HoverTracking:
    """Mixed into a Widget that draws items a click picks (the footer's keys, the pane tabs):
    ``item_at(x, y)`` names the item at a cell of the widget (None between items), and
    ``hovered`` is the one under the mouse, redrawn highlighted when it changes."""

    hovered: Any = None

    def item_at(self, x: int, y: int) -> Any:
        raise NotImplementedError

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self.item_at(event.x, event.y))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def _hover(self, item: Any) -> None:
        if item != self.hovered:
            self.hovered = item
            self.refresh()
