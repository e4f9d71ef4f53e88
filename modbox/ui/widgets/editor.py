"""The code editor: a Python TextArea with the keys a programmer expects, and failing lines marked."""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

from modbox.ui.widgets.dialogs import AskScreen

INDENT = "    "
ERROR_GLYPH = "▶"  # in the gutter of the line a failed run stopped at
# Keys closer together than anyone types are a paste or a laggy link delivering typed text: its
# lines carry their own indentation, so enter then adds none (it would double it).
BURST_GAP = 0.012  # seconds


class CodeEditor(TextArea):
    """``TextArea.code_editor`` plus comment toggle, dedent, find, go to line, and an error mark.

    ``error_line`` (1-based) paints that line's number in the gutter so a failing run points at
    the learner's code.
    """

    BINDINGS = [
        Binding("ctrl+underscore,ctrl+slash", "toggle_comment", "Comment", show=False,
                id="editor.comment", key_display="ctrl+/"),
        Binding("shift+tab", "dedent", "Dedent", show=False, id="editor.dedent"),
        Binding("ctrl+f", "find", "Find", id="editor.find"),
        Binding("f3", "find_next", "Find next", show=False, id="editor.find_next"),
        Binding("ctrl+g", "goto_line", "Go to line", id="editor.goto_line"),
        Binding("ctrl+a", "select_all", "Select all", show=False, id="editor.select_all"),
        Binding("ctrl+home", "document_start", "Start of file", show=False, id="editor.start"),
        Binding("ctrl+end", "document_end", "End of file", show=False, id="editor.end"),
    ]

    def __init__(self, text: str = "", **kwargs):
        # Plain text until the first refresh: compiling the Python highlight query takes about
        # 50 ms that the first frame need not wait for, and TextArea's constructor compiles it twice.
        super().__init__(
            text,
            language=None,
            theme="css",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            **kwargs,
        )
        self.cursor_blink = True
        self._last_key_time = 0.0
        self._error_line: int | None = None
        self.last_find = ""

    def on_mount(self) -> None:
        self._follow_app_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._follow_app_theme())
        self.call_after_refresh(self._start_highlighting)

    class HighlightingMissing(Message):
        """Python highlighting was asked for, and tree-sitter could not give it."""

    def _start_highlighting(self) -> None:
        selection = self.selection  # a new language means a new document, cursor at the start
        self.language = "python"
        self.selection = selection
        if self.highlighting_missing:
            self.post_message(self.HighlightingMissing())

    @property
    def highlighting_missing(self) -> bool:
        return self.language is not None and not self.is_syntax_aware

    def _follow_app_theme(self) -> None:
        # "css" takes its colours from the app's dark theme; on a light one its syntax colours fade
        self.theme = "css" if self.app.current_theme.dark else "github_light"

    @property
    def error_line(self) -> int | None:
        return self._error_line

    @error_line.setter
    def error_line(self, line: int | None) -> None:
        if line != self._error_line:
            self._error_line = line
            self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self._error_line is None or not self.show_line_numbers:
            return strip
        if self.scroll_offset.y + y != self._error_line - 1:
            return strip
        gutter = self.gutter_width
        # a glyph and reversed colours as well as red: without colour (NO_COLOR, a monochrome
        # terminal) red is one more shade of grey
        mark = Style(bgcolor="red", color="white", bold=True, reverse=False)
        number = strip.crop(0, gutter).text.strip()
        marked = Strip([Segment((ERROR_GLYPH + number).ljust(gutter)[:gutter],
                                mark + Style(reverse=self.app.no_color))])
        return Strip.join([marked, strip.crop(gutter)])

    def _selected_rows(self) -> range:
        start, end = sorted((self.selection.start, self.selection.end))
        last = end[0] if end[1] > 0 or end[0] == start[0] else end[0] - 1
        return range(start[0], last + 1)

    def _replace_rows(self, rows: range, new_lines: list[str]) -> None:
        last = rows[-1]
        self.replace(
            "\n".join(new_lines),
            (rows[0], 0),
            (last, len(self.document.get_line(last))),
        )
        self.selection = ((rows[0], 0), (last, len(new_lines[-1])))

    def action_toggle_comment(self) -> None:
        rows = self._selected_rows()
        lines = [self.document.get_line(r) for r in rows]
        code = [ln for ln in lines if ln.strip()]
        if not code:
            return
        if all(ln.lstrip().startswith("#") for ln in code):
            new = [re.sub(r"^(\s*)# ?", r"\1", ln, count=1) for ln in lines]
        else:
            col = min(len(ln) - len(ln.lstrip()) for ln in code)
            new = [ln[:col] + "# " + ln[col:] if ln.strip() else ln for ln in lines]
        self._replace_rows(rows, new)

    async def _on_key(self, event: events.Key) -> None:
        if await self._run_binding_in_order(event):
            return
        if event.key == "tab" and self.selection.start[0] != self.selection.end[0]:
            event.stop()
            event.prevent_default()
            rows = self._selected_rows()
            self._replace_rows(rows, [INDENT + self.document.get_line(r) for r in rows])
            return
        burst = event.time - self._last_key_time < BURST_GAP
        self._last_key_time = event.time
        if event.key == "enter" and not self.read_only and not burst:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self.replace("\n" + self._indent_after(min(start, end)), start, end,
                         maintain_selection_offset=False)
            return
        await super()._on_key(event)

    async def _run_binding_in_order(self, event: events.Key) -> bool:
        """Run the binding of a key that types nothing (an arrow, backspace, ctrl+z) here and now.

        Textual types a character as soon as the editor reads its key, but runs a binding only
        once the key has bubbled up through every container to the App, one message queue
        each. Keys sent in one burst (a paste, a laggy link) on a busy machine then come out of
        order: the letters of "End, Left, Backspace, XYZ" land before the cursor moved. Running
        the binding when the editor reads the key keeps every key in the order typed."""
        if event.is_printable or event.key in ("enter", "tab", "escape"):
            return False
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.binding.priority or not active.enabled:
            return False  # priority bindings already ran, before the key reached the editor
        event.stop()
        event.prevent_default()
        await self.app.run_action(active.binding.action, active.node)
        return True

    def _indent_after(self, location: tuple[int, int]) -> str:
        """The indentation a new line at ``location`` starts with: the line's own, one level
        more after a ``:`` that opens a block (``def f():``, ``if x:  # why``)."""
        row, column = location
        before = self.document.get_line(row)[:column]
        indent = before[: len(before) - len(before.lstrip())]
        code = re.sub(r"\s+#[^'\"]*$", "", before).rstrip()
        return indent + INDENT if code.endswith(":") and not code.lstrip().startswith("#") else indent

    def action_dedent(self) -> None:
        rows = self._selected_rows()
        lines = [self.document.get_line(r) for r in rows]
        new = [ln[min(len(INDENT), len(ln) - len(ln.lstrip(" "))):] for ln in lines]
        if new != lines:
            self._replace_rows(rows, new)

    def action_find(self) -> None:
        def found(query: str | None) -> None:
            if query:
                self.last_find = query
                self.find_next(query)

        self.app.push_screen(AskScreen("Find", "text to find", self.last_find), found)

    def action_find_next(self) -> None:
        if self.last_find:
            self.find_next(self.last_find)
        else:
            self.action_find()

    def find_next(self, query: str) -> bool:
        """Select the next match after the cursor (wrapping around); False when there is none."""
        text = self.text
        start = self.document.get_index_from_location(self.selection.end)
        at = text.find(query, start)
        if at < 0:
            at = text.find(query)
        if at < 0:
            self.app.notify(f"{query!r} is not in the file.", severity="warning")
            return False
        begin = self.document.get_location_from_index(at)
        end = self.document.get_location_from_index(at + len(query))
        self.selection = (begin, end)
        self.scroll_cursor_visible(center=True)
        return True

    def action_goto_line(self) -> None:
        def go(answer: str | None) -> None:
            if answer is None:
                return
            if not answer.strip().isdigit():
                self.app.notify(f"{answer!r} is not a line number.", severity="warning")
                return
            self.go_to_line(int(answer))

        self.app.push_screen(
            AskScreen("Go to line", f"1 to {self.document.line_count}", ""), go
        )

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of 1-based ``line`` (clamped) and show it."""
        row = max(0, min(line - 1, self.document.line_count - 1))
        self.selection = ((row, 0), (row, 0))
        self.scroll_cursor_visible(center=True)
        self.focus()

    def action_document_start(self) -> None:
        self.selection = ((0, 0), (0, 0))

    def action_document_end(self) -> None:
        self.selection = (self.document.end, self.document.end)
