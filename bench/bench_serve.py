"""modbox in a browser against modbox in a terminal: time to first result, side by side.

    python bench/bench_serve.py               # 7 of each, in turns
    python bench/bench_serve.py --launches 11

Browser: ``modbox serve play model.py`` is already running, with its spare modbox ready (as
when a learner opens the link a few seconds or more after the server started, or after the last
learner did); each launch opens the link with the token in a new tab of headless Chromium (the
system's, through Playwright) and is timed from the start of the page load until the Modules pane,
read from the terminal in the page, shows the file's model. The page itself checks its terminal
every 20 ms (as the terminal's launch is checked with tmux every 20 ms), instead of the bench
asking it over Playwright's connection, which took CPU from the page and the app being timed.
The tab is then closed and its processes are waited for, and then the next spare, until the
server's processes are quiet, so that nothing overlaps the next launch, of either kind.
Browser, no spare: a second tab opened while the first is open and before the next spare has
started (as when a class opens the link at once): its modbox starts with its page request, so
the page's and xterm.js's load is all the head start it has. Reported, not the target.
Terminal: ``modbox play model.py`` in tmux (160x50), timed from the launch until the Modules pane
shows the same rows, exactly as bench_ui.py measures it.
The two alternate, so both see the same load. Target: browser median <= 1.5x the terminal's.
Also printed: the CPU time Chromium itself used per page load (on this machine it shares the
cores with the app being timed; a learner's browser runs on the learner's machine), and the
memory of one tab (the app and its sandbox, resident set sizes added up) and of the spare, the
figures a course needs to size ``--max-tabs`` and pod limits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ui import (  # noqa: E402
    FIRST_RESULT_FILE, FIRST_RESULT_SHOWN, first_result_ms, launch_env, p95, row, say,
)
from tests.support.serve import (  # noqa: E402
    CHROMIUM, READ_SCREEN, Browser, Served, Tab, command_line, cpu_seconds, descendants,
    wait_until,
)

SHOWS_FIRST_RESULT = f"""(texts) => {{
  const screen = ({READ_SCREEN})();
  return texts.every((text) => screen.includes(text));
}}"""


def open_tab(browser: Browser, served: Served) -> tuple[Tab, float]:
    """A new tab on the server, and the milliseconds from its page load to the first result."""
    tab = Tab(browser.context().new_page(), Path(tempfile.gettempdir()))
    t0 = time.perf_counter()
    tab.page.goto(served.url, wait_until="commit")
    try:
        tab.page.wait_for_function(SHOWS_FIRST_RESULT, arg=list(FIRST_RESULT_SHOWN), polling=20,
                                   timeout=120_000)
    except Exception as exc:
        raise RuntimeError(f"no result after 120 s ({exc}):\n{tab.screen()}\n{tab.text()}")
    return tab, (time.perf_counter() - t0) * 1000


def close_tabs(served: Served, *tabs: Tab) -> None:
    modboxes = served.tab_pids()
    for tab in tabs:
        tab.page.context.close()
    wait_until(lambda: served.processes(modboxes) == [], "the closed tabs' processes to end", 60)


def browser_first_result_ms(browser: Browser, served: Served, memory: list[float],
                            browser_cpu: list[float]) -> float:
    """A tab that takes the spare."""
    cpu0 = _chromium_cpu_s()
    tab, elapsed = open_tab(browser, served)
    browser_cpu.append(_chromium_cpu_s() - cpu0)
    memory.append(sum(_rss_mb(pid) for pid in served.processes(served.tab_pids())))
    close_tabs(served, tab)
    return elapsed


def browser_without_spare_ms(browser: Browser, served: Served) -> float:
    """A second tab opened while the first still has the spare's place (a class opening the
    link at once): its modbox starts with its page request."""
    first, _ = open_tab(browser, served)
    wait_until(served.quiet, "the first tab to be quiet", 60)
    second, elapsed = open_tab(browser, served)
    close_tabs(served, first, second)
    return elapsed


def _chromium_cpu_s() -> float:
    """CPU seconds used so far by the Chromium processes this bench started (they share the
    machine's cores with the app being timed, as a terminal emulator would)."""
    return sum(cpu_seconds(pid) for pid in descendants(os.getpid())
               if "chromium" in command_line(pid))


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("tmux") is None or CHROMIUM is None:
        sys.exit("bench_serve needs tmux and chromium (apt-get install tmux chromium)")

    say("Time to first result, modbox play model.py: a browser tab (headless Chromium, page load "
        "to the Modules pane) and a terminal (tmux 160x50, launch to the Modules pane), in turns")
    server = f"modbox-bench-{os.getpid()}-serve"
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", "keep", "sleep", "3600"],
                   check=True)
    times: dict[str, list[float]] = {"browser": [], "terminal": [], "no spare": []}
    memory: list[float] = []
    spare_memory: list[float] = []
    browser_cpu: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
            home = Path(tmp)
            (home / "model.py").write_text(FIRST_RESULT_FILE)
            terminal = [*launch_env(home), sys.executable, "-m", "modbox", "play", "model.py"]
            with Served("play", "model.py", home=home / "served", cwd=home) as served:
                # one of each first, not counted: bytecode and page caches warmed
                served.wait_for_spare()
                first_result_ms(home, server, terminal)
                browser_first_result_ms(browser, served, [], [])
                for _ in range(args.launches):
                    served.wait_for_spare()
                    spare_memory.append(sum(_rss_mb(pid) for pid in served.processes_of(
                        served.waiting_pids())))
                    times["terminal"].append(first_result_ms(home, server, terminal))
                    times["browser"].append(browser_first_result_ms(browser, served, memory,
                                                                   browser_cpu))
                    served.wait_for_spare()
                    times["no spare"].append(browser_without_spare_ms(browser, served))
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)

    median = {label: statistics.median(figures) for label, figures in times.items()}
    for label, text in (("terminal", "terminal"), ("browser", "browser, the spare ready"),
                        ("no spare", "browser, a second tab, no spare")):
        figure = f"{median[label]:.0f} ms (p95 {p95(times[label]):.0f} ms)"
        say(f"  {f'{text}, median of {args.launches}':<46} {figure:>24}")
    ratio = median["browser"] / median["terminal"]
    row("browser / terminal", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
    say(f"  {'browser without a spare / terminal':<46} "
        f"{median['no spare'] / median['terminal']:>23.2f}x")
    say(f"  {'memory of one tab (app + sandbox), median':<46} {statistics.median(memory):>21.0f} MB")
    say(f"  {'memory of the spare (app + sandbox), median':<46} "
        f"{statistics.median(spare_memory):>21.0f} MB")
    say(f"  {'CPU Chromium used per page load, median':<46} "
        f"{statistics.median(browser_cpu):>22.2f} s")
    say(f"  {'cores; load average after':<46} {f'{os.cpu_count()}; {os.getloadavg()[0]:.1f}':>24}")


if __name__ == "__main__":
    main()
