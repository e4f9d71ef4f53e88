"""Every use of Textual's private API, in one place: tests/test_textual_compat.py fails here, not
somewhere in the app, when a Textual release moves what these rely on (written against 8.2)."""

from __future__ import annotations

from textual._xterm_parser import XTermParser
from textual.app import App

ESC = "\x1b"
NOT_ALT = "OP"  # ESC O and ESC P start the terminal's own sequences (SS3 keys, DCS replies)


def read_escape_key_as_alt_key() -> None:
    """Alt+letter and alt+digit from a real terminal, read at once and in the order pressed.

    A terminal sends alt+g as ESC followed by "g". Textual's parser waits for more after it
    (ESC [ starts an arrow key), and reads the pair as alt+g only when nothing follows within
    its escape delay. When the next key is an escape sequence too (alt+1 then alt+g, alt+n then
    an arrow: keys pressed fast, a paste of keys, a laggy link) it gives up on the pair and
    types it instead: "^1" lands in the learner's code. It also reads ESC followed by a digit
    as the character a macOS keyboard puts on option+digit ("™" for alt+2), so the editor
    types junk and the pane keys alt+1..7 never run. ESC followed by a letter or digit (but O
    and P) starts no sequence of the terminal's, so here it is alt+key at once."""
    if getattr(XTermParser, "_modbox_alt_keys", False):
        return
    read = XTermParser._sequence_to_key_events

    def sequence_to_key_events(self, sequence: str, alt: bool = False):
        if (len(sequence) == 2 and sequence[0] == ESC and sequence[1].isascii()
                and sequence[1].isalnum() and sequence[1] not in NOT_ALT):
            return read(self, sequence[1], alt=True)
        return read(self, sequence, alt)

    XTermParser._sequence_to_key_events = sequence_to_key_events
    XTermParser._modbox_alt_keys = True


def keymap(app: App) -> dict[str, str]:
    """The keys the learner set for binding ids (``App.set_keymap``): Textual keeps no public
    reader for them, and the help screen shows them."""
    return dict(app._keymap)


class RepaintAfterBatch(App):
    """An App whose screens repaint when a batched update ends.

    While ``App.batch_update`` holds (Markdown.update, recompose, ContentSwitcher use it), a
    screen's Idle skips its repaint, and the end of the batch prompts only the App. A screen
    that went idle during the batch then waits for an unrelated message (a key, a blinking
    cursor) before it draws what changed. A dialog opened at start-up (a lesson's first
    prediction, the review round) settles while Markdown updates hold the batch, and nothing
    blinks under it: without this the terminal stays blank until a key is pressed. Refreshing
    the visible screens at the end of the outermost batch is what ``App.delay_update`` does
    at its own end."""

    def _end_batch(self) -> None:
        super()._end_batch()
        stack = self._screen_stack
        if not self._batch_count and stack:
            for screen in (*self._background_screens, stack[-1]):
                screen.refresh()


def ignore_cancelled_futures_at_exit(loop) -> None:
    """Keep asyncio from printing "exception was never retrieved ... CancelledError" when the app
    quits in the middle of a Markdown update: Textual cancels the update's gather of parsing
    work and nobody awaits it, and the learner would see a traceback after a clean quit. Any
    other unretrieved exception is reported as before."""
    import asyncio

    def handler(loop, context) -> None:
        if isinstance(context.get("exception"), asyncio.CancelledError):
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
