"""The Hooks pane: the run's event log, drawn one visible line at a time so 100k events stay smooth.

``EventList`` keeps the events in a plain list and renders only the rows on screen (Textual's line
API), so appending a batch costs a list extend, not a widget per event. The learner's own hooks
and ``direct_forward`` calls (hooks skipped!) are coloured so they stand out.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from modbox import formatting as fmt
from modbox import presentation
from modbox.report import EVENT_KINDS, Event

_KIND_STYLE = {
    "hook": "bold #d787ff",
    "hook_removed": "#d787ff",
    "direct_forward": "bold red",
    "optimizer_step": "green",
    "zero_grad": "green",
    "save": "yellow",
    "load": "yellow",
    "load_state_dict": "yellow",
    "backward": "cyan",
    "backward_pre": "cyan",
    "forward_pre": "dim",
}


def event_text(event: Event) -> Text:
    """One line, worded by ``modbox.presentation`` (as ``modbox inspect`` prints it), coloured by kind."""
    text = presentation.event_text(event, _styles(event.kind))
    text.no_wrap = True
    text.end = ""
    return text


def _styles(kind: str) -> dict[str, str]:
    style = _KIND_STYLE.get(kind, "")
    return {
        "seq": "dim",
        "kind": style or "bold",
        "where": style if kind in ("hook", "direct_forward") else "",
        "cls": "dim",
        "detail": "red" if kind == "direct_forward" else "",
    }


def matches(event: Event, kinds: set[str], words: list[str]) -> bool:
    if kinds and event.kind not in kinds:
        return False
    where = f"{event.model}.{event.path} {event.cls} {event.hook}".lower()
    return all(w in where for w in words)


def parse_filter(query: str) -> tuple[set[str], list[str]]:
    """Words naming an event kind filter by kind; other words must appear in the module path."""
    kinds, words = set(), []
    for w in query.lower().split():
        (kinds.add(w) if w in EVENT_KINDS else words.append(w))
    return kinds, words


class EventList(ScrollView, can_focus=True):
    """A virtual list of events with a cursor. ``follow`` keeps the newest event in view."""

    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "choose", "Show line", id="hooks.show_line"),
    ]

    DEFAULT_CSS = "EventList { height: 1fr; }"

    class Selected(Message):
        """Enter on an event: ``event.line`` is where it happened in the learner's file, if known."""

        def __init__(self, event: Event):
            super().__init__()
            self.event = event

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.events: list[Event] = []
        self.shown: list[int] = []  # indexes into events that pass the filter
        self.cursor = 0
        self.follow = True
        self._kinds: set[str] = set()
        self._words: list[str] = []
        self._width = 0
        self._cache: dict[int, Strip] = {}

    def clear(self) -> None:
        self.events, self.shown, self.cursor, self.follow = [], [], 0, True
        self._width = 0
        self._resize()

    def append(self, events: list[Event]) -> None:
        start = len(self.events)
        self.events.extend(events)
        kinds, words = self._kinds, self._words
        if kinds or words:
            self.shown.extend(i for i in range(start, len(self.events)) if matches(self.events[i], kinds, words))
        else:
            self.shown.extend(range(start, len(self.events)))
        for e in events[-8:]:  # a sample: formatting every event of a batch would cost more than drawing it
            self._width = max(self._width, event_text(e).cell_len)
        self._resize()

    def set_filter(self, query: str) -> None:
        self._kinds, self._words = parse_filter(query)
        kinds, words = self._kinds, self._words
        if kinds or words:
            self.shown = [i for i, e in enumerate(self.events) if matches(e, kinds, words)]
        else:
            self.shown = list(range(len(self.events)))
        self.cursor = min(self.cursor, max(len(self.shown) - 1, 0))
        self._resize()

    def _resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self._width, len(self.shown))
        if self.follow and self.shown:
            self.cursor = len(self.shown) - 1
            self.scroll_end(animate=False, immediate=True)
        self.refresh()

    @property
    def selected(self) -> Event | None:
        return self.events[self.shown[self.cursor]] if self.shown else None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self.shown):
            return Strip.blank(width, base)
        strip = self._cache.get(row)
        if strip is None:
            text = event_text(self.events[self.shown[row]])
            strip = Strip(list(text.render(self.app.console)))
            self._cache[row] = strip
            if len(self._cache) > 500:
                self._cache.pop(next(iter(self._cache)))
        if row == self.cursor and self.has_focus:
            strip = strip.apply_style(Style(reverse=True))
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def _move(self, row: int) -> None:
        if not self.shown:
            return
        self.cursor = max(0, min(row, len(self.shown) - 1))
        self.follow = self.cursor == len(self.shown) - 1
        top = self.scroll_offset.y
        height = self.size.height or 1
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_choose(self) -> None:
        if self.selected is not None:
            self.post_message(self.Selected(self.selected))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, row: int) -> None:
        self._move(row if row >= 0 else len(self.shown) - 1)

    def on_click(self, event) -> None:
        self._move(self.scroll_offset.y + event.y)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class HooksPane(Vertical):
    """A filter box over the event list and a line counting what is shown."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: a module path, or a kind (forward, hook, direct_forward...)",
                    id="hooks-filter")
        yield Static(id="hooks-count")
        yield EventList(id="hooks-list")

    def on_mount(self) -> None:
        self.total = 0
        self.dropped = 0
        self._count()

    def reset(self, events: list[Event], total: int | None = None, dropped: int = 0) -> None:
        event_list = self.query_one(EventList)
        event_list.clear()
        event_list.append(events)
        self.total = len(events) if total is None else total
        self.dropped = dropped
        self._count()

    def extend(self, events: list[Event]) -> None:
        self.query_one(EventList).append(events)
        self.total += len(events)
        self._count()

    def _count(self) -> None:
        event_list = self.query_one(EventList)
        shown, kept = len(event_list.shown), len(event_list.events)
        text = Text.assemble((f"{fmt.count(kept)} events", "bold"))
        if shown != kept:
            text.append(f", {fmt.count(shown)} match the filter")
        if self.dropped:
            text.append(f"  ({fmt.count(self.dropped)} more not kept)", style="yellow")
        text.append("   your hooks", style="#d787ff")
        text.append(" · ", style="dim")
        text.append(".forward() called directly", style="red")
        self.query_one("#hooks-count", Static).update(text, layout=False)

    @on(Input.Changed, "#hooks-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one(EventList).set_filter(event.value)
        self._count()
