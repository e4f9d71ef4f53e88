"""``modbox play`` in a real terminal: typing a model fills the live panes; a SIGKILL while typing
loses nothing (the next launch offers the text back); ctrl+r pressed while the worker starts
runs the file once it is ready; quitting during an endless run, or closing
the terminal, leaves no modbox, zygote or run process behind."""

from __future__ import annotations

import os
import signal

import pytest

from tests.support.e2e import PROMPT, Terminal, kill_leftovers, needs_tmux, sandbox_processes_of


pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

# Typed at the top of the buffer (the cursor starts there); Enter is CR, and the editor does not
# auto-indent, so the indentation is typed too.
MODEL = """import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

model = Net()
"""
SPIN = "print('spinning', flush=True)\nwhile True:\n    pass\n"


def typed(text: str) -> str:
    return text.replace("\n", "\r")


def test_typing_a_model_in_play_mode_fills_the_live_panes(tmp_path):
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play")
            app_pid = term.wait_for_app()
            term.wait_for("scratch buffer", "^g Go to line")  # the editor has the focus
            term.type(typed(MODEL))
            # Live mode runs it after a pause in typing: the Modules pane shows the tree.
            screen = term.wait_for_run("model Net  58", "encoder Linear  40", "head Linear  18")
            assert "Traceback" not in screen
            # Assigning a layer later registers it too: the tree and the count follow.
            term.type(typed("model.extra = nn.Linear(2, 2)\n"))
            term.wait_for_run("model Net  64", "extra Linear  6")
            term.press("C-q")  # unsaved: modbox asks; ctrl+q again quits, the text kept as a draft
            term.wait_for("The scratch buffer has unsaved changes", "Quit without saving")
            term.press("C-q")
            term.wait_for(PROMPT.rstrip(), "modbox play")
            term.wait_until(lambda: not term.leftovers(app_pid), "no modbox or sandbox process left")
        finally:
            kill_leftovers(term, app_pid)


def test_a_sigkill_while_typing_loses_nothing_the_next_launch_offers_the_text_back(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("import torch\n")
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play model.py; echo modbox-exit=$?")
            app_pid = term.wait_for_app()
            term.wait_for("model.py", "^g Go to line")
            term.type(typed("# typed just before the crash\n"))
            term.wait_for("● modified (autosaved)")
            drafts = tmp_path / "home" / "data" / "drafts"
            term.wait_until(
                lambda: any("typed just before the crash" in p.read_text() for p in drafts.glob("*.json")),
                "the draft is on disk")
            os.kill(app_pid, signal.SIGKILL)
            term.wait_for("modbox-exit=137")
            term.wait_until(lambda: not term.leftovers(app_pid), "the sandbox died with the app")
            assert model.read_text() == "import torch\n"  # never saved: only the draft has it

            term.run("clear; modbox play model.py")
            app_pid = term.wait_for_app()
            screen = term.wait_for("model.py has unsaved text from", "Restore it?")
            assert "Traceback" not in screen
            term.press("Enter")  # Restore (the first button has the focus)
            term.wait_for("Restored the unsaved text of model.py", "typed just before the crash")
            term.press("C-s")
            term.wait_for("Saved model.py")
            term.press("C-q")
            term.wait_for(PROMPT.rstrip())
            assert "typed just before the crash" in model.read_text()
        finally:
            kill_leftovers(term, app_pid)


def test_ctrl_r_pressed_while_the_worker_starts_runs_the_file_once_it_is_ready(tmp_path):
    # Live mode is off for a file this long, so nothing but the ctrl+r can run it.
    (tmp_path / "long.py").write_text(MODEL + "# a long file\n" * 2000)
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play long.py")
            app_pid = term.wait_for_app()
            # The first frame, the editor focused. The worker imports torch for seconds longer
            # than that takes: the status line says it is still starting.
            screen = term.wait_for("long.py", "^g Go to line")
            assert "starting the worker…" in screen, "the worker was ready before the first frame"
            term.press("C-r")
            screen = term.wait_for("model Net  58", "encoder Linear  40", "head Linear  18", "done in")
            assert "Traceback" not in screen
            term.press("C-q")
            term.wait_for(PROMPT.rstrip())
        finally:
            kill_leftovers(term, app_pid)


@pytest.mark.parametrize("how", ["ctrl+q", "terminal closed"])
def test_an_endless_run_leaves_no_process_behind(tmp_path, how):
    (tmp_path / "spin.py").write_text(SPIN)
    app_pid = None
    term = Terminal(tmp_path / "home", tmp_path)
    with term:
        try:
            term.run("modbox play spin.py; echo modbox-exit=$?")
            app_pid = term.wait_for_app()
            term.wait_for("spin.py", "running")
            # The zygote and the run child it forked for the endless loop are both alive.
            term.wait_until(lambda: len(sandbox_processes_of(app_pid)) >= 2, "a run child in flight")
            if how == "ctrl+q":
                term.press("C-q")
                term.wait_for("modbox-exit=0")
                assert term.flag("alternate_on") == "0"
            else:
                term.tmux("kill-session", "-t", term.session)  # the window closes: SIGHUP
            term.wait_until(lambda: not term.leftovers(app_pid), "no modbox or sandbox process left")
        finally:
            kill_leftovers(term, app_pid)


def test_alt_keys_reach_their_bindings_while_the_editor_has_the_focus(tmp_path):
    """The footer and the lesson header promise alt+key while typing (alt+2 shows the Parameters
    pane here). A real terminal sends alt+2 as a key that also carries the character, and the
    editor must not type it; it sends it as ESC and the key, and keys that follow each other
    fast (a person quick on the pane keys, a laggy link) must each reach their binding too, none
    typed as "^1"."""
    (tmp_path / "model.py").write_text(MODEL)
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play model.py")
            app_pid = term.wait_for_app()
            term.wait_for("encoder Linear", "^g Go to line")
            term.press("M-2")
            screen = term.wait_for("numel", "requires_grad")
            assert "modified" not in screen, "alt+2 changed the buffer"
            term.tmux("send-keys", "-t", term.session, "M-5", "M-1", "Down", "M-4")  # one burst
            screen = term.wait_for("filter: a module path, or a kind")  # alt+4: the Hooks pane
            assert "modified" not in screen, "the keys changed the buffer"
        finally:
            kill_leftovers(term, app_pid)

