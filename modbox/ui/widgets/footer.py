"""Textual's Footer, rebuilt at once, only when the keys it shows change, and on as many lines as
its keys need."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from modbox.ui.textual_compat import recompose_footer_next

# Columns a key takes besides its name and description: Textual's FooterKey pads the key with a
# space each side and ends the description with one (the footer is never compact here). The
# command palette's key is compact (one space in all) with a border and a padding: 3 as well.
KEY_PADDING = 3


def key_width(key: FooterKey) -> int:
    return cell_len(key.key_display) + cell_len(key.description) + KEY_PADDING


def rows_of(widths: list[int], room: int) -> list[int]:
    """How many keys each line holds when keys of ``widths`` are laid out in order on lines of
    ``room`` columns (a key wider than a line gets a line of its own)."""
    rows: list[int] = []
    used = room
    for width in widths:
        if used + width > room:
            rows.append(0)
            used = 0
        rows[-1] += 1
        used += width
    return rows


class Footer(TextualFooter):
    """The footer every modbox screen uses.

    Textual's Footer rebuilds all its key widgets each time the screen's bindings change, and
    they change several times while a screen opens (mount, focus, app focus): four rebuilds of
    about 50 ms each here, all after the first frame, which goes out with an empty footer. Focus
    moving between widgets with the same keys rebuilds it again.

    This one rebuilds as soon as the bindings change, so the keys are in the first frame or the
    one after it, and only when the keys shown differ from the last ones.

    Textual's Footer is one line, and on a narrow terminal the keys that do not fit are cut off
    (at 80 columns a lesson's footer ends in "alt+s Soluti", and quit and help are gone). This
    one lays its keys out on as many lines as they need at the terminal's width.
    """

    DEFAULT_CSS = """
    Footer {
        layout: vertical;
        height: auto;
    }
    Footer > .footer-line {
        height: 1;
    }
    """

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        recompose_footer_next(self, screen)

    def on_resize(self, event: events.Resize) -> None:
        self.call_next(self.recompose)  # the keys may fall on other lines now

    def _keys_shown(self) -> tuple:
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
            self._bindings_ready,  # a resize before the bindings are ready composes nothing
            self.app.size.width,
            self.compact,
            self.show_command_palette,
            tuple(
                (key, self.app.get_key_display(binding), binding.description, binding.action,
                 enabled, tooltip)
                for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        palette = [k for k in keys if k.has_class("-command-palette")]
        keys = [k for k in keys if k not in palette]
        # the palette key is docked on the right of the first line: every line is that much shorter
        room = self.app.size.width - sum(key_width(k) for k in palette)
        yield from palette
        start = 0
        for count in rows_of([key_width(k) for k in keys], room):
            yield HorizontalGroup(*keys[start:start + count], classes="footer-line")
            start += count

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await super().recompose()
