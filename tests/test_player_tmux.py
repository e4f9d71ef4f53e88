"""A newcomer's first minutes with the lessons, in a real terminal (tmux) on the real sandbox:
menu → lesson → prediction → run → checks → hint; SIGKILL while typing, relaunch, the draft is
back at the same step; ctrl+q quits cleanly. Each step reads the screen as a person would."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from e2e_support import sized_by_the_pane

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.tmux,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Terminal:
    def __init__(self, home, cwd):
        self.name = f"modbox-player-{uuid.uuid4().hex[:8]}"
        self.home, self.cwd = home, cwd
        self.pid_file = cwd / "modbox.pid"
        self.started = False

    def launch(self) -> None:
        # `exec` so the pid file holds modbox itself; the marker line shows how it ended
        inner = f"echo $$ > {shlex.quote(str(self.pid_file))}; exec {shlex.quote(sys.executable)} -m modbox"
        command = sized_by_the_pane(
            "sh", "-c", f"MODBOX_HOME={shlex.quote(str(self.home))} sh -c {shlex.quote(inner)}; "
                        "echo MODBOX-EXITED-$?; sleep 120")
        if not self.started:
            subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "150", "-y", "42",
                            "-c", str(self.cwd), *command], check=True)
            self.started = True
        else:
            subprocess.run(["tmux", "respawn-pane", "-k", "-t", self.name, "-c", str(self.cwd), *command],
                           check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True).stdout

    def wait(self, *texts: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if all(t in shown for t in texts):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{texts} not on screen after {timeout} s:\n{shown}")
            time.sleep(0.2)

    def keys(self, *keys: str, pause: float = 0.4) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(pause)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)

    def modbox_pid(self) -> int:
        return int(self.pid_file.read_text())

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path / "home", tmp_path)
    yield term
    term.close()


def test_first_lesson_in_a_real_terminal_survives_sigkill_and_quits_cleanly(terminal):
    terminal.launch()
    terminal.wait("modbox lessons", "A model is an object", "Registration")
    terminal.keys("Enter")
    terminal.wait("step 1 of 5", "Blueprints and objects")

    terminal.keys("n")
    terminal.wait("Predict before you run", "1-9")
    terminal.keys("1")
    terminal.wait("How sure are you")
    terminal.keys("3")
    terminal.wait("The run shows:", "You chose:", timeout=120)  # the sandbox starts torch first
    terminal.keys("Enter")
    terminal.wait("You answered")

    terminal.keys("n")
    terminal.wait("step 3 of 5", "Checks", "✗", "0 of 3 pass", timeout=120)  # the starter ran
    terminal.keys("M-h")  # the editor has the focus: alt+h
    terminal.wait("Hint 1")

    terminal.type("# typed by me")
    terminal.wait("# typed by me")
    time.sleep(2)  # the draft is saved half a second after typing stops
    os.kill(terminal.modbox_pid(), signal.SIGKILL)
    terminal.wait("MODBOX-EXITED-137")

    terminal.launch()
    terminal.wait("you were here", "A quick review")  # the confident mistake comes back first
    terminal.keys("Escape")  # skipped for now
    terminal.keys("c")
    shown = terminal.wait("step 3 of 5", "# typed by me", "Hint 1")
    assert "Predict before you run" not in shown  # answered before the kill: not asked again

    terminal.keys("C-q")
    terminal.wait("MODBOX-EXITED-0", timeout=30)
