"""Keys typed fast (a paste, a laggy SSH link) reach the editor in the order typed, while the
machine is busy: the installed ``modbox play`` in tmux, two busy loops beside it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.e2e import Terminal, kill_leftovers, needs_tmux

pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

LINE = "s = 'abcdefghij'"
# End, 7 x Left (the cursor lands after the "d"), 4 x Backspace, then XYZ: in one burst
BURST = ["End", *["Left"] * 7, *["BSpace"] * 4, "X", "Y", "Z"]
EXPECTED = "s = 'XYZefghij'"
TRIES = 6


@pytest.fixture
def busy_machine():
    loops = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(2)]
    yield
    for loop in loops:
        loop.kill()
        loop.wait()


def test_keys_sent_in_one_burst_are_applied_in_order_on_a_busy_machine(tmp_path, busy_machine):
    (tmp_path / "keys.py").write_text(LINE + "\n")
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play keys.py")
            app_pid = term.wait_for_app()
            term.wait_for("keys.py", "^g Go to line", LINE)
            results = []
            for attempt in range(TRIES):
                if attempt:  # the line back as it was, then the same burst again
                    term.press("C-a")
                    term.type(LINE + "\n")
                    term.press("C-Home")
                    term.wait_for(LINE)
                term.tmux("send-keys", "-t", term.session, *BURST)  # one burst, no pauses
                screen = term.wait_for("XYZ", "Z")
                results.append(next(ln for ln in screen.splitlines() if "s = '" in ln))
            assert all(EXPECTED in r for r in results), results
        finally:
            kill_leftovers(term, app_pid)
