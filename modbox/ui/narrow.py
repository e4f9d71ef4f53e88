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
    PARTS = {"lesson": "#lesson-side", "code": "#editor", "panes": "#panes-side"}
    FOCUS = {"lesson": "#lesson-prose", "code": "#editor", "panes": "#pane-tabs"}  # on showing a part
    BINDINGS = [
        Binding("f8", "next_view", "Switch view", id="view.next"),
        # here, not on the Workspace: it must work from the lesson's text, outside the Workspace
        Binding("f4", "focus_editor", "Editor", show=False, id="workspace.editor"),
    ]

    view = "code"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._styled_at_mount = True
        try:
            width = self.app.size.width
        except RuntimeError:  # made outside a running app: laid out at its first resize
            return
        # Laid out for the terminal before its widgets are styled: classes set at the first
        # resize would restyle every widget of the screen once more.
        self._set_classes(width, self.view)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles the whole screen each time it is resumed, for styles that changed while
        # it was away. The first time, every widget was styled as it was mounted, moments ago:
        # the second pass cost 11-15 ms of the first frame (bench/bench_ui.py).
        if self._styled_at_mount:
            self._styled_at_mount = False
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        self._show(event.size.width, self.view)

    def show_view(self, view: str) -> None:
        self._show(self.app.size.width, view)

    def _show(self, width: int, view: str) -> None:
        before = set(self.classes)
        self._set_classes(width, view)
        if set(self.classes) != before:
            self.update_node_styles()  # once, not once for each class that changed
        self.refresh_bindings()
        if self.focused is not None and not self.shows(self._part_of(self.focused)):
            self.query_one(self.FOCUS[self.view]).focus()  # keys must not go to a hidden part

    def _set_classes(self, width: int, view: str) -> None:
        """The classes for ``width`` columns, showing ``view`` where one part shows at a time."""
        self.set_class(width < NARROW, "-narrow", update=False)
        self.set_class(self.WIDE is not None and NARROW <= width < self.WIDE, "-medium", update=False)
        if view not in self.views():
            view = self.VIEWS[0]
        for name in self.VIEWS:
            self.set_class(name == view, f"-view-{name}", update=False)
        self.view = view

    def views(self) -> tuple[str, ...]:
        """The parts f8 steps through at this size (none when all are shown)."""
        if self.has_class("-narrow"):
            return self.VIEWS
        if self.has_class("-medium"):
            return tuple(v for v in self.VIEWS if v != "code")  # the code shows beside both
        return ()

    def shows(self, part: str | None) -> bool:
        """Whether ``part`` ("lesson", "code", "panes"; None: none of them) is on screen."""
        views = self.views()
        if part is None or not views:
            return True
        return part == self.view or (part == "code" and self.has_class("-medium"))

    def _part_of(self, widget) -> str | None:
        for part, selector in self.PARTS.items():
            if any(node in self.query(selector) for node in widget.ancestors_with_self):
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
