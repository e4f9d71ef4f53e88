"""Driving ``modbox serve`` in a real browser: the system's headless Chromium through Playwright.

``Served`` starts ``python -m modbox serve`` (a real server, on a free port of 127.0.0.1) and
reads the URL it prints. ``Tab`` is one browser tab on it: it reads the screen from the buffer of
the xterm.js terminal in the page (the page keeps the terminal in a closure, so an init script
catches it when textual.js makes it), types with the browser's keyboard, and waits for text with a
deadline. When a wait gives up it saves a screenshot beside the test and says where.

Without Chromium or Playwright the tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from modbox.serve.tab import TAB, WAITING
from tests.support.e2e import KEY_GAP, all_processes, sandbox_processes_of, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SLOW = 180.0  # generous: the machine is shared, and each tab's sandbox imports torch
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _skip_or_fail(missing: str) -> None:
    """Skip, but fail in CI: there these tests must run."""
    if IN_CI:
        pytest.fail(f"CI must run the browser tests, but {missing}")
    pytest.skip(missing)


def require_module(name: str) -> None:
    try:
        __import__(name)
    except ImportError:
        _skip_or_fail(f"{name} is not installed (pip install -e '.[dev]')")


def require_browser() -> None:
    if CHROMIUM is None:
        _skip_or_fail("chromium is not installed (apt-get install chromium)")
    require_module("playwright.sync_api")


# The terminal object textual.js makes is the one that gets a ``fitAddon``: catch it on the way.
CATCH_TERMINAL = """
window.__modboxTerminals = [];
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true, enumerable: true});
    if (this.terminal) window.__modboxTerminals.push(this.terminal);
  },
});
"""
READ_SCREEN = """() => {
  const terminal = (window.__modboxTerminals || [])[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, lines = [];
  for (let i = 0; i < terminal.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""


def descendants(root_pid: int) -> list[int]:
    """``root_pid``'s living descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for pid, _ in all_processes():
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def process_name(pid: int) -> str:
    """``/proc/PID/comm``: a served modbox names itself ``modbox waiting`` or ``modbox tab``."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """CPU seconds ``pid`` used so far, its ended children's included; 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Served:
    """``modbox serve ARGS`` in ``cwd`` with ``MODBOX_HOME=home``; a context manager."""

    def __init__(self, *args: str, home: Path, cwd: Path, env: dict | None = None):
        self.args, self.home, self.cwd = args, Path(home), Path(cwd)
        self.env = {**os.environ, "MODBOX_HOME": str(self.home), **(env or {})}
        self.log = self.cwd / "serve.log"
        self.url = ""

    def __enter__(self) -> Served:
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "modbox", "serve", "--port", "0", *self.args],
            cwd=self.cwd, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT)
        self.url = wait_until(self._printed_url, "modbox serve to print its URL", timeout=60,
                              on_fail=lambda: self.output())
        return self

    def _printed_url(self) -> str | None:
        if self.process.poll() is not None:
            pytest.fail(f"modbox serve ended (exit {self.process.returncode}):\n{self.output()}")
        found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", self.output())
        return found.group(0) if found else None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def token(self) -> str:
        return self.url.split("?token=", 1)[1]

    def _modboxes(self, name: str) -> list[int]:
        return [pid for pid in descendants(self.process.pid)
                if "modbox.serve.tab" in command_line(pid) and process_name(pid) == name]

    def tab_pids(self) -> list[int]:
        """The modbox processes of the open tabs (one per tab)."""
        return self._modboxes(TAB)

    def waiting_pids(self) -> list[int]:
        """The modbox processes no tab has yet: the spare, and any started for a page that has
        not connected."""
        return self._modboxes(WAITING)

    def processes_of(self, modbox_pids: list[int]) -> set[int]:
        """Those modbox processes, what they started, and their sandboxes' processes."""
        pids = {pid for pid in modbox_pids if os.path.exists(f"/proc/{pid}")}
        for pid in modbox_pids:
            pids |= set(descendants(pid)) | set(sandbox_processes_of(pid))
        return pids

    def processes(self, tab_pids: list[int]) -> list[int]:
        """Every process running for the server's tabs: below the server, or a sandbox process
        that names one of the tabs as its app; not the waiting modboxes' (they have no tab)."""
        waiting = self.processes_of(self.waiting_pids())
        return sorted(set(descendants(self.process.pid)) - waiting | self.processes_of(tab_pids))

    def wait_for_spare(self, timeout: float = SLOW) -> int:
        """Until the server has a spare modbox and its processes have been quiet for a second
        (the spare has started its sandbox and imported the app); the spare's pid."""
        def ready() -> int | None:
            spares = self.waiting_pids()
            if len(spares) != 1 or not self.quiet():
                return None
            return spares[0] if self.waiting_pids() == spares else None
        return wait_until(ready, "the spare modbox to be ready", timeout, on_fail=self.output)

    def quiet(self) -> bool:
        """Whether the server and every modbox it runs (their sandboxes too) used less than 5%
        of a core in the next second."""
        def cpu_s() -> float:
            modboxes = self.waiting_pids() + self.tab_pids()
            pids = set(descendants(self.process.pid)) | self.processes_of(modboxes)
            return sum(cpu_seconds(pid) for pid in pids)
        before = cpu_s()
        time.sleep(1)
        return cpu_s() - before < 0.05

    def __exit__(self, *exc) -> None:
        below = descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in below:  # only after a failure is anything left: end it, by its id
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self._log_file.close()


class Browser:
    """Headless Chromium (the system's) under Playwright; a context manager."""

    def __enter__(self) -> Browser:
        require_browser()
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM)
        return self

    def context(self):
        context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_init_script(CATCH_TERMINAL)
        return context

    def __exit__(self, *exc) -> None:
        self.browser.close()
        self._playwright.stop()


class Tab:
    """One page, with every request it makes recorded."""

    def __init__(self, page, artifacts: Path):
        self.page = page
        self.artifacts = Path(artifacts)
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda ws: self.requests.append(ws.url))

    def goto(self, url: str):
        return self.page.goto(url)

    def screen(self) -> str:
        try:
            return self.page.evaluate(READ_SCREEN)
        except Exception:  # the page is between two loads (it retries by itself)
            return ""

    def text(self) -> str:
        """The page's own text (not the terminal's): for the pages that say why there is no app."""
        try:
            return self.page.inner_text("body")
        except Exception:
            return ""

    def failure(self, what: str) -> str:
        shot = self.artifacts / "browser-failure.png"
        try:
            self.page.screenshot(path=str(shot))
            saved = f"screenshot: {shot}"
        except Exception as exc:
            saved = f"no screenshot ({exc})"
        return f"{saved}\n--- the terminal in the page:\n{self.screen()}\n--- the page:\n{self.text()}"

    def wait_until(self, condition, what: str, timeout: float = SLOW):
        return wait_until(condition, what, timeout, on_fail=lambda: self.failure(what))

    def wait_for(self, *texts: str, gone: bool = False, timeout: float = SLOW) -> str:
        def shown() -> str | None:
            screen = self.screen()
            present = [t in screen for t in texts]
            return (screen or "(blank)") if (not any(present) if gone else all(present)) else None

        what = ("none of " if gone else "all of ") + repr(texts) + " on the screen"
        return self.wait_until(shown, what, timeout)

    def wait_for_page_text(self, *texts: str, timeout: float = SLOW) -> str:
        return self.wait_until(lambda: (t := self.text()) and all(x in t for x in texts) and t,
                               f"{texts!r} in the page", timeout)

    def focus(self) -> None:
        """Give xterm.js's input the focus, as a click would, without a mouse event for the app."""
        self.page.evaluate("() => document.querySelector('.xterm-helper-textarea').focus()")

    def press(self, *keys: str) -> None:
        """Press keys at a person's pace, as the terminal tests do: an arrow key sent a few
        milliseconds before a letter may reach the editor after it."""
        self.focus()
        for key in keys:
            self.page.keyboard.press(key)
            time.sleep(KEY_GAP)

    def type(self, text: str) -> None:
        self.focus()
        self.page.keyboard.type(text, delay=KEY_GAP * 1000)

    def outside(self, origin: str) -> list[str]:
        """The requests the page made to anywhere but ``origin`` (http or ws)."""
        netloc = urlsplit(origin).netloc
        return [url for url in self.requests
                if urlsplit(url).netloc != netloc and not url.startswith(("data:", "blob:"))]
