"""Lay a screen out for the terminal's size.

Side by side, a lesson's text, the editor and the panes each get a sliver of a small terminal
(the panes 4 columns at 80x24, their tabs cut at 140x45). Below ``NARROW`` columns a screen
shows one part at a time, full width; between ``NARROW`` and ``WIDE`` a lesson shows its text and
the editor, and the panes in place of the text. f8 switches to the next part; the footer offers
it only where there is one. The styles are in app.tcss (``-narrow``, ``-medium``, ``-view-<part>``).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import Screen

NARROW = 120  # columns: below, one part at a time
# A dialog screen's classes by width (Textual's HORIZONTAL_BREAKPOINTS): a tall dialog (.dialog.tall)
# takes the whole of a -narrow terminal (app.tcss).
NARROW_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]


class NarrowLayout(Screen):
    """A screen whose parts (``VIEWS``) are shown one at a time below NARROW columns, and, when
    ``WIDE`` is set, all but the panes below WIDE."""

    VIEWS: tuple[str, ...] = ("code", "panes")
    WIDE: int | None = None
    VIEW_TITLES = {"lesson": "Lesson", "code": "Code", "panes": "Panes"}
    FOCUS = {"lesson": "#lesson-prose", "code": "#editor", "panes": "#panes Tabs"}
    BINDINGS = [
        Binding("f8", "next_view", "Switch view", id="view.next"),
        # here, not on the Workspace: it must work from the lesson's text, outside the Workspace
        Binding("f4", "focus_editor", "Editor", show=False, id="workspace.editor"),
    ]

    view = "code"

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.set_class(width < NARROW, "-narrow")
        self.set_class(self.WIDE is not None and NARROW <= width < self.WIDE, "-medium")
        self.show_view(self.view if self.view in self.views() else self.VIEWS[0])

    def views(self) -> tuple[str, ...]:
        """The parts f8 steps through at this size (none when all are shown)."""
        if self.has_class("-narrow"):
            return self.VIEWS
        if self.has_class("-medium"):
            return tuple(v for v in self.VIEWS if v != "code")  # the code shows beside both
        return ()

    def show_view(self, view: str) -> None:
        for name in self.VIEWS:
            self.set_class(name == view, f"-view-{name}")
        self.view = view
        self.refresh_bindings()
        if self.focused is not None and not self.shows(self._part_of(self.focused)):
            self.query_one(self.FOCUS[view]).focus()  # keys must not go to a hidden part

    def shows(self, part: str | None) -> bool:
        """Whether ``part`` ("lesson", "code", "panes"; None: none of them) is on screen."""
        views = self.views()
        if part is None or not views:
            return True
        return part == self.view or (part == "code" and self.has_class("-medium"))

    def _part_of(self, widget) -> str | None:
        for part, selector in self.FOCUS.items():
            if any(node in self.query(selector.split()[0]) for node in widget.ancestors_with_self):
                return part
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return bool(self.views()) if action == "next_view" else True

    def action_focus_editor(self) -> None:
        if not self.shows("code"):
            self.show_view("code")
        self.query_one("#editor").focus()

    def action_next_view(self) -> None:
        views = self.views()
        following = views[(views.index(self.view) + 1) % len(views)] if self.view in views else views[0]
        self.show_view(following)
        self.notify(f"Showing: {self.VIEW_TITLES[following]} (f8 switches).", timeout=2)
        self.query_one(self.FOCUS[following]).focus()
