"""Textual's Footer, rebuilt at once, and only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

from modbox.ui.textual_compat import recompose_footer_next, settle_footer_keys


class Footer(TextualFooter):
    """The footer every modbox screen uses.

    Textual's Footer rebuilds all its key widgets each time the screen's bindings change, and
    they change several times while a screen opens (mount, focus, app focus): four rebuilds of
    about 50 ms each here, all after the first frame, which goes out with an empty footer. Focus
    moving between widgets with the same keys rebuilds it again.

    This one rebuilds as soon as the bindings change, so the keys are in the first frame or the
    one after it, and only when the keys shown differ from the last ones.
    """

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        recompose_footer_next(self, screen)

    def _keys_shown(self) -> tuple:
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
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
        widgets = list(super().compose())
        settle_footer_keys(self, widgets)
        return widgets

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await super().recompose()
