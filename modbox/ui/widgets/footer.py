"""Textual's Footer, rebuilt at once, only when the keys it shows change, and on as many lines as
its keys need."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from modbox.ui.textual_compat import recompose_footer_next, settle_footer_keys

# Columns a key takes besides its name and description: Textual's FooterKey pads the key with a
# space each side and ends the description with one (the footer is never compact here). The
# command palette's key is compact (one space in all) with a border and a padding: 3 as well.
KEY_PADDING = 3


def key_width(key: FooterKey) -> int:
    return cell_len(key.key_display) + cell_len(key.description) + KEY_PADDING


def columns_for(widths: list[int], room: int) -> int:
    """The most columns keys of ``widths`` can be laid out in, in order, row after row, each
    column as wide as its widest key, within ``room`` columns of the terminal (at least one)."""
    for count in range(len(widths), 1, -1):
        if sum(max(widths[column::count]) for column in range(count)) <= room:
            return count
    return 1


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
    one lays its keys out in a grid of as many lines as they need at the terminal's width.
    """

    DEFAULT_CSS = """
    Footer {
        layout: grid;
        grid-columns: auto;
        height: auto;
    }
    """

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is None and self.is_attached and screen is self.screen:
            # The first keys, whether or not the app has the focus. Textual keeps the keys as
            # they are while it has none, so that they do not flicker when the terminal loses
            # it; with none shown yet (a browser tab that said it has no focus before the first
            # keys: its footer stayed empty) there is nothing to keep.
            self._bindings_ready = True
            self.call_next(self.recompose)
            return
        recompose_footer_next(self, screen)

    def on_resize(self, event: events.Resize) -> None:
        # the keys may fall on other lines now; not before the bindings are ready (nothing to lay out)
        if self._bindings_ready and self._keys_shown() != self._shown:
            self.call_next(self.recompose)

    def _keys_shown(self) -> tuple:
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
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
        settle_footer_keys(self, keys)
        palette = [k for k in keys if k.has_class("-command-palette")]
        keys = [k for k in keys if k not in palette]
        # the palette key is docked on the right: every line is that much shorter
        room = self.app.size.width - sum(key_width(k) for k in palette)
        self.styles.grid_size_columns = columns_for([key_width(k) for k in keys], room)
        yield from keys
        yield from palette

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await super().recompose()
