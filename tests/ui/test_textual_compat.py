"""What modbox.ui.textual_compat relies on in Textual's private API still works: a Textual
release that moves it fails here, by name, rather than somewhere in the app."""

from __future__ import annotations

import asyncio

from textual._xterm_parser import XTermParser
from textual.app import App
from textual.binding import Binding

from modbox.ui import textual_compat


def _keys(data: str) -> list[str]:
    parser = XTermParser()
    events = [*parser.feed(data), *parser.feed("")]  # the empty feed ends a lone escape
    return [event.key for event in events]


def test_escape_letter_or_digit_reads_as_alt_key_at_once_and_in_order():
    textual_compat.read_escape_key_as_alt_key()
    assert _keys("\x1b2") == ["alt+2"]
    assert _keys("\x1b0") == ["alt+0"]
    assert _keys("\x1bg") == ["alt+g"]
    assert _keys("2") == ["2"]
    # one right after another, as keys pressed fast arrive: nothing typed, nothing lost
    assert _keys("\x1b1\x1bg\x1b[B\x1bn") == ["alt+1", "alt+g", "down", "alt+n"]
    assert _keys("\x1bOP") == ["f1"]  # ESC O starts the terminal's own sequences


class _KeymapApp(App):
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit")]


def test_keymap_reads_what_set_keymap_set():
    async def scenario():
        app = _KeymapApp()
        async with app.run_test():
            assert textual_compat.keymap(app) == {}
            app.set_keymap({"app.quit": "ctrl+x"})
            return textual_compat.keymap(app)

    assert asyncio.run(scenario()) == {"app.quit": "ctrl+x"}


class _RepaintApp(textual_compat.RepaintAfterBatch):
    pass


def test_a_screen_idle_during_a_batch_repaints_when_the_batch_ends():
    async def repainted(screen, limit: float = 10.0) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while screen._repaint_required and loop.time() < deadline:
            await asyncio.sleep(0.01)
        return not screen._repaint_required

    async def scenario(app: App) -> bool:
        async with app.run_test():
            screen = app.screen
            assert await repainted(screen), "the first frame"
            with app.batch_update():
                screen.refresh()
                # Returns once the screen has been idle inside the batch, which skips its repaint.
                await screen.wait_for_refresh()
                assert screen._repaint_required
            # Nothing else reaches the screen from here on: only the end of the batch can wake it.
            return await repainted(screen)

    assert asyncio.run(scenario(_RepaintApp()))


def test_a_cancelled_update_left_unretrieved_at_exit_prints_nothing_but_other_errors_still_do():
    import asyncio
    import gc

    from modbox.ui.textual_compat import ignore_cancelled_futures_at_exit

    loop = asyncio.new_event_loop()
    reported = []
    loop.default_exception_handler = lambda context: reported.append(context["exception"])
    ignore_cancelled_futures_at_exit(loop)
    try:
        for exc in (asyncio.CancelledError(), ValueError("a real one")):
            future = loop.create_future()
            future.set_exception(exc)
            del future
            gc.collect()
    finally:
        loop.close()
    assert [type(e) for e in reported] == [ValueError]
