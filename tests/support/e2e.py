"""Driving the installed ``modbox`` in a real terminal (tmux), and finding the processes it left.

Each ``Terminal`` has its own tmux server (``tmux -L <unique socket>``) running a plain bash in a
pane of the size asked for (160x50 unless told), with ``MODBOX_HOME`` pointing at the test's folder and a marker in the environment
(``MODBOX_E2E``) by which the test finds the processes it started, and only those. Tests type a
command into that shell as a person would, read the screen with ``capture-pane`` and wait for
text with a deadline (never a fixed sleep).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
BIN = Path(sys.executable).parent  # the venv's bin: its ``modbox`` is the installed console script
WIDTH, HEIGHT = 160, 50
MARKER_VAR = "MODBOX_E2E"
PROMPT = "e2e$ "
KEY_GAP = 0.05  # seconds between key presses
# Generous: the machine is shared and noisy, and the sandbox's first start imports torch.
SLOW = 120.0
TIMED_OUT = "timeout: Your code ran longer"  # the status line of a run stopped at its time limit
SETTLE = 2.0  # seconds a screen may take to stop changing once what a test waits for is on it

needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def sized_by_the_pane(*command: str) -> list[str]:
    """``command`` run without COLUMNS and LINES: a tmux server's environment may carry them
    (COLUMNS=80 LINES=24 from the shell that started it), every pane inherits them, and the app
    would take them over the pane's real size."""
    return ["env", "-u", "COLUMNS", "-u", "LINES", *command]


class Terminal:
    """A tmux pane with bash in it. Use as a context manager: the tmux server always dies."""

    def __init__(self, home: Path, cwd: Path, size: tuple[int, int] = (WIDTH, HEIGHT)):
        self.home = Path(home)
        self.cwd = Path(cwd)
        self.width, self.height = size
        self.socket = f"modbox-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.marker = uuid.uuid4().hex
        self.session = "e2e"

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=30)
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def __enter__(self) -> Terminal:
        env = {"MODBOX_HOME": str(self.home), MARKER_VAR: self.marker}
        args = ["new-session", "-d", "-s", self.session, "-x", str(self.width), "-y", str(self.height),
                "-c", str(self.cwd)]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        # -f /dev/null: no user tmux.conf; the pane stays after its shell exits so tests can read it.
        subprocess.run([TMUX, "-L", self.socket, "-f", "/dev/null", *args,
                        *sized_by_the_pane("bash", "--noprofile", "--norc")], check=True, timeout=30)
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")
        # The machine's shell start-up may reset PATH and PS1, so set them as a person would.
        self.run(f"export PS1='{PROMPT}' PATH={BIN}:$PATH; clear")
        self.wait_until(lambda: self.screen().startswith(PROMPT.rstrip()), "the shell prompt")
        return self

    def __exit__(self, *exc) -> None:
        self.tmux("kill-server", check=False)

    # ------------------------------------------------------------------ typing and reading

    def type(self, text: str) -> None:
        """Type ``text`` literally (no key names)."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def press(self, *keys: str) -> None:
        """Press keys by tmux name (``Enter``, ``C-q``, ``Escape``, ``Down``, ``M-h``...) at a
        person's pace: a burst of escape sequences sent at once loses keys in the app's parser."""
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(KEY_GAP)

    def run(self, command: str) -> None:
        """Type a command into the shell and press enter, as a person would."""
        self.type(command)
        self.press("Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def settled(self, screen: str, limit: float = SETTLE) -> str:
        """The screen once two captures in a row agree (at most ``limit`` seconds on): tmux may be
        read halfway through a frame the app is drawing, its top new and its bottom old, and what a
        test asserts next may be in the half not drawn yet. A clock that ticks never settles; then
        the last capture is returned."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            time.sleep(0.05)
            again = self.screen()
            if again == screen:
                return again
            screen = again
        return screen

    def flag(self, name: str) -> str:
        """A tmux format variable of the pane, e.g. ``alternate_on`` or ``mouse_any_flag``."""
        return self.tmux("display-message", "-p", "-t", self.session, f"#{{{name}}}").strip()

    def wait_for(self, *texts: str, timeout: float = SLOW, gone: bool = False) -> str:
        """Poll the screen until every one of ``texts`` is on it (or, with ``gone``, none is).
        Returns the screen; fails with the last screen shown."""
        deadline = time.monotonic() + timeout

        def met(screen: str) -> bool:
            present = [t in screen for t in texts]
            return (not any(present)) if gone else all(present)

        while True:
            screen = self.screen()
            present = [t in screen for t in texts]
            if met(screen):
                screen = self.settled(screen)
                if met(screen):
                    return screen
                continue
            if time.monotonic() > deadline:
                state = "still on" if gone else "not on"
                missing = [t for t, p in zip(texts, present) if p == gone]
                raise AssertionError(f"{missing} {state} the screen after {timeout:.0f} s:\n{screen}")
            time.sleep(0.1)

    def wait_for_run(self, *texts: str) -> str:
        """Wait for what a run of the editor's code shows. A live run has a short time limit (2 s)
        that a busy machine can exceed: then, as a person would, run it with ctrl+r (full limit)."""
        def shown() -> str:
            screen = self.screen()
            return screen if all(t in screen for t in texts) or TIMED_OUT in screen else ""

        if TIMED_OUT not in self.settled(self.wait_until(shown, f"a run showing {texts}")):
            return self.wait_for(*texts)
        self.press("C-r")
        self.wait_for(TIMED_OUT, gone=True)
        return self.wait_for(*texts)

    def wait_until(self, condition, what: str, timeout: float = SLOW):
        return wait_until(condition, what, timeout, on_fail=lambda: f"the screen:\n{self.screen()}")

    # ------------------------------------------------------------------ processes

    def app_pids(self) -> list[int]:
        """The modbox processes started from this terminal (its marker, ``modbox`` on the command line)."""
        return [pid for pid, cmd in _processes_with(MARKER_VAR, self.marker)
                if any(Path(arg).name == "modbox" for arg in cmd[:2])]

    def wait_for_app(self) -> int:
        return self.wait_until(lambda: (self.app_pids() or [None])[0], "modbox started")

    def leftovers(self, app_pid: int) -> list[str]:
        """Processes this terminal started that are still alive: the app itself, and its
        sandbox's zygote, bwrap and run children (``sandbox_processes_of``)."""
        ours = set(self.app_pids()) | set(sandbox_processes_of(app_pid))
        return [f"{pid}: {' '.join(cmd)[:160]}" for pid, cmd in all_processes() if pid in ours]


def has_words_of(screen: str, text: str) -> bool:
    """Whether every word of ``text`` is on ``screen`` in order: a line wrapped onto the next, with
    other things on the same lines (a note drawn over a pane, the status line's mode)."""
    return re.search(r"\s.*?".join(map(re.escape, text.split())), screen, re.DOTALL) is not None


def wait_until(condition, what: str, timeout: float = SLOW, on_fail=lambda: ""):
    """``condition()``'s value once it is true; fails after ``timeout`` with ``what`` and
    ``on_fail()`` (what the test saw)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {timeout:.0f} s; {on_fail()}")
        time.sleep(0.1)


def all_processes() -> list[tuple[int, list[str]]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                raw = f.read()
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if raw and state != "Z":
            found.append((int(entry), [a.decode(errors="replace") for a in raw.rstrip(b"\0").split(b"\0")]))
    return found


def _processes_with(var: str, value: str) -> list[tuple[int, list[str]]]:
    needle = f"{var}={value}".encode()
    found = []
    for pid, cmd in all_processes():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append((pid, cmd))
        except OSError:
            continue
    return found


def sandbox_processes_of(app_pid: int) -> list[int]:
    """The zygote, bwrap and run children serving the modbox process ``app_pid``."""
    # the zygote's own arguments come last: its socket's fd, the app's pid, the mount plan
    return [pid for pid, cmd in all_processes()
            if "modbox.sandbox.child.zygote" in " ".join(cmd) and str(app_pid) in cmd[-3:]]


def kill_leftovers(term: Terminal, app_pid: int | None) -> None:
    """Clean up after a failed test: SIGKILL only what this terminal started."""
    pids = set(term.app_pids())
    if app_pid is not None:
        pids |= set(sandbox_processes_of(app_pid))
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
