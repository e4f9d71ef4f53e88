"""modbox play in a real terminal (tmux): what a person sees, with the real sandbox behind it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e_support import sized_by_the_pane

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    # Each wait_for gives up after 60 s and shows the screen; the whole test may take longer.
    pytest.mark.timeout(300),
]

CODE = [
    "import torch",
    "from torch import nn",
    "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))",
    'print("hello from", "the sandbox")',
]


def tmux(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """tmux on a server of this test process's own, untouched by anyone else's sessions."""
    return subprocess.run(["tmux", "-L", f"modbox-test-{os.getpid()}", *args], **kwargs)


class Terminal:
    """One tmux session running one command, read the way a person reads the screen."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict):
        self.name = name
        env_args = [f"{k}={v}" for k, v in env.items()]
        tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "50", "-c", str(cwd),
             *sized_by_the_pane("env", *env_args, *command), check=True)

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name, capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys, check=True)

    def pid(self) -> int:
        out = tmux("display-message", "-p", "-t", self.name, "#{pane_pid}",
                   capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    def close(self) -> None:
        tmux("kill-session", "-t", self.name, capture_output=True)


@pytest.fixture
def terminal(tmp_path):
    made = []
    env = {"MODBOX_HOME": str(tmp_path / "home"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}

    def launch(*args: str) -> Terminal:
        term = Terminal(f"modbox-test-{os.getpid()}-{len(made)}",
                        [sys.executable, "-m", "modbox", "play", *args], tmp_path, env)
        made.append(term)
        return term

    yield launch
    for term in made:
        term.close()
    tmux("kill-server", capture_output=True)


def test_play_in_tmux_runs_typed_code_and_offers_unsaved_text_after_a_kill(terminal, tmp_path):
    term = terminal("model.py")
    term.wait_for("f1 Help", timeout=30)
    assert (tmp_path / "model.py").exists()  # created from the MLP template

    term.keys("F7")  # select all, then type over it
    for line in CODE:
        term.keys(line, literal=True)
        term.keys("Enter")
    term.keys("C-r")
    screen = term.wait_for("done in")
    assert "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))" in screen
    term.wait_for("live sandbox: ", timeout=30)  # once the opening notice has faded
    term.keys("M-6")  # the Output pane
    screen = term.wait_for("hello from the sandbox")
    assert "ran to the end" in screen

    maps = Path(f"/proc/{term.pid()}/maps").read_text()
    assert "libtorch" not in maps  # the UI process never loads torch

    term.keys("extra = 1", literal=True)
    drafts = tmp_path / "home" / "data" / "drafts"
    deadline = time.monotonic() + 60
    while not any("extra = 1" in p.read_text() for p in drafts.glob("*.json")):
        assert time.monotonic() < deadline, "the autosaved draft never reached the disk"
        time.sleep(0.1)
    os.kill(term.pid(), signal.SIGKILL)
    assert "extra = 1" not in (tmp_path / "model.py").read_text()

    again = terminal("model.py")
    again.wait_for("Restore it?")
    again.keys("Enter")  # "Restore" has the focus
    screen = again.wait_for("Restored the unsaved text")
    assert "extra = 1" in screen


def test_play_in_tmux_shows_a_failing_line_and_the_error(terminal, tmp_path):
    (tmp_path / "broken.py").write_text("x = 1\ny = undefined_name + 1\n")
    term = terminal("broken.py")
    screen = term.wait_for("exception:")
    assert "undefined_name" in screen
