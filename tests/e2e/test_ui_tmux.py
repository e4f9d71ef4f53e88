"""modbox play in a real terminal (tmux): what a person sees, with the real sandbox behind it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.support.e2e import Terminal, kill_leftovers, needs_tmux


pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

CODE = [
    "import torch",
    "from torch import nn",
    "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))",
    'print("hello from", "the sandbox")',
]


def test_play_in_tmux_runs_typed_code_and_offers_unsaved_text_after_a_kill(tmp_path):
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play model.py; echo modbox-exit=$?")
            app_pid = term.wait_for_app()
            # The template's own first run done: the app is settled. Before that, a binding key
            # (F7, which the app dispatches) can be handled after the letters typed right after
            # it (which the editor takes directly), and the letters land unselected.
            term.wait_for("f1 Help", "done in")
            assert (tmp_path / "model.py").exists()  # created from the MLP template

            term.press("F7")  # select all, then type over it
            for line in CODE:
                term.type(line)
                term.press("Enter")
            term.press("C-r")
            # "done in" is already on screen from the template's run: wait for the typed code too
            # (the Output pane below shows this run's own output)
            term.wait_for("done in", CODE[2])
            term.wait_for("live sandbox: ")  # once the opening notice has faded
            term.press("M-6")  # the Output pane
            screen = term.wait_for("hello from the sandbox")
            assert "ran to the end" in screen

            maps = Path(f"/proc/{app_pid}/maps").read_text()
            assert "libtorch" not in maps  # the UI process never loads torch

            term.type("extra = 1")
            drafts = tmp_path / "home" / "data" / "drafts"
            term.wait_until(
                lambda: any("extra = 1" in p.read_text() for p in drafts.glob("*.json")),
                "the autosaved draft on disk",
            )
            os.kill(app_pid, signal.SIGKILL)
            term.wait_for("modbox-exit=137")
            assert "extra = 1" not in (tmp_path / "model.py").read_text()

            term.run("modbox play model.py; echo modbox-exit=$?")
            app_pid = term.wait_for_app()
            term.wait_for("Restore it?")
            term.press("Enter")  # "Restore" has the focus
            screen = term.wait_for("Restored the unsaved text")
            assert "extra = 1" in screen
        finally:
            kill_leftovers(term, app_pid)


def test_play_in_tmux_shows_a_failing_line_and_the_error(tmp_path):
    (tmp_path / "broken.py").write_text("x = 1\ny = undefined_name + 1\n")
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play broken.py; echo modbox-exit=$?")
            app_pid = term.wait_for_app()
            screen = term.wait_for("exception:")
            assert "undefined_name" in screen
            term.press("C-q")
            term.wait_for("modbox-exit=0")
        finally:
            kill_leftovers(term, app_pid)
