"""UI performance: first result and first frame in a real terminal, 100k hook events, a 10,000-module tree.

    python bench/bench_ui.py            # all four, figures and targets side by side
    python bench/bench_ui.py --launches 11
    python bench/bench_ui.py --only launch --other /path/to/another/checkout

0. Time to first result: ``modbox play model.py`` in tmux (160x50), timed from the launch until
   the Modules pane shows the file's model. The floor, launched in turn with it: a fresh
   ``python -c "import torch; torch.nn.Linear(10, 5)(torch.randn(3, 10))"``, which no app that
   runs the learner's PyTorch code in a fresh process can beat. Target: <= 1.1x the floor.
1. Launch to first frame: ``modbox play model.py`` in tmux (a private server, 160x50), timed from
   the launch until the footer's keys are on screen in ``capture-pane`` (looked at every 20 ms).
   A bare Textual app (a label and a footer) is launched in turn with it: the floor on this
   machine. Target: median <= 1.3x the floor.
   In both, ``--other DIR`` launches the modbox in that source folder too, in the same turns (to
   compare two versions under the same load).
2. 100k events: a run streams 100,000 events into the visible Hooks pane in 20 Hz batches (the
   sandbox's rate). A 10 ms timer inside the app records the longest gap between its ticks (the
   event loop's worst stall). Target: every event reachable, worst stall <= 50 ms.
3. 10,000 modules: time from a Report arriving to the Modules tree built and painted, for a deep
   model (100 ModuleLists of 99 layers) and a flat one (one Sequential of 9,999). Target: <= 500 ms.

Runs 2 and 3 use modbox.testing.scripted_sandbox.ScriptedSandbox so that only the UI is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.ui_reports import flat_model_report, huge_model_report, many_events_report  # noqa: E402

from modbox.ui.app import ModboxApp  # noqa: E402
from modbox.testing.scripted_sandbox import ScriptedSandbox  # noqa: E402
from modbox.ui.widgets.hooks_pane import EventList  # noqa: E402
from modbox.ui.widgets.modules_pane import ModuleTree  # noqa: E402


def say(text: str = "") -> None:
    # Textual's test harness leaves sys.stdout redirected after run_test: write to the real one
    sys.__stdout__.write(text + "\n")
    sys.__stdout__.flush()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(what: str, figure: str, target: str, ok: bool) -> None:
    say(f"  {what:<46} {figure:>24}   target {target:<14} {'ok' if ok else 'MISSED'}")


# ---------------------------------------------------------------- launches in tmux

FLOOR = "import torch; torch.nn.Linear(10, 5)(torch.randn(3, 10))"
FIRST_RESULT_FILE = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(torch.relu(self.encoder(x)))


model = Net()
model(torch.randn(3, 4))
"""
FIRST_RESULT_SHOWN = ("model Net  58", "head Linear  18")  # rows of the Modules pane only
FIRST_FRAME_SHOWN = ("f1 Help",)  # the footer's keys, drawn with the rest of the first frame
LAUNCH_ENV = {"PYTHONDONTWRITEBYTECODE": None, "COLUMNS": None, "LINES": None,
              "TERM": "xterm-256color"}
# Between two looks at the screen. Each look runs a tmux client (about 2 ms of CPU): every 3 ms
# they took about 40% of a core from the app being timed, and more from the slower app.
POLL = 0.02

# The floor of the first frame: Python, Textual, one label and a footer with one key. No Textual
# app gets its first frame out faster than this on the machine at hand, so the ratio to it is
# what travels.
BARE_TEXTUAL_APP = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App):
    BINDINGS = [("f1", "help", "Help")]

    def compose(self):
        yield Static("a bare Textual app")
        yield Footer()

Bare().run()
"""


def launch_env(home: Path, extra: dict[str, str] | None = None) -> list[str]:
    # PYTHONDONTWRITEBYTECODE unset: the launch not counted writes the bytecode cache, as a
    # user's first launch does, and the counted ones read it
    env = ["env"]
    for key, value in {**LAUNCH_ENV, "MODBOX_HOME": str(home), **(extra or {})}.items():
        env += ["-u", key] if value is None else [f"{key}={value}"]
    return env


def modbox_commands(home: Path, other: Path | None) -> dict[str, list[str]]:
    """``modbox play model.py`` from this checkout, and from ``other`` when given."""
    commands = {"modbox": [*launch_env(home), sys.executable, "-m", "modbox", "play", "model.py"]}
    if other is not None:
        commands["other"] = [*launch_env(home, {"PYTHONPATH": str(other)}), sys.executable,
                             "-m", "modbox", "play", "model.py"]
    return commands


def launched_until_shown(home: Path, server: str, command: list[str], shown: tuple[str, ...],
                         limit: float) -> float:
    """Milliseconds from launching ``command`` in a fresh tmux window (160x50) until every text
    in ``shown`` is on its screen."""
    name = f"bench-{time.monotonic_ns()}"
    t0 = time.perf_counter()
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", name, "-x", "160", "-y", "50",
                    "-c", str(home), *command], check=True)
    try:
        while True:
            screen = subprocess.run(["tmux", "-L", server, "capture-pane", "-p", "-t", name],
                                    capture_output=True, text=True).stdout
            if all(text in screen for text in shown):
                return (time.perf_counter() - t0) * 1000
            if time.perf_counter() - t0 > limit:
                raise RuntimeError(f"{shown} not on screen after {limit:.0f} s:\n{screen}")
            time.sleep(POLL)
    finally:
        subprocess.run(["tmux", "-L", server, "kill-session", "-t", name], capture_output=True)
        time.sleep(1)  # let the worker modbox started wind down before the next launch


def launches_in_turn(what: str, launches: int, other: Path | None, shown: tuple[str, ...],
                     limit: float, floor: Callable[[Path, str], float]) -> dict[str, list[float]] | None:
    """Milliseconds of each launch of ``modbox play model.py`` (and of ``other``'s) until
    ``shown`` is on screen, and of ``floor(home, tmux server)``, all in turns, after one of each
    not counted (it warms the caches). None, after saying so, without tmux."""
    if shutil.which("tmux") is None:
        say("  skipped: tmux is not installed")
        return None
    server = f"modbox-bench-{os.getpid()}-{what}"
    # an idle session keeps the private server up between launches
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", "keep", "sleep", "900"], check=True)
    times: dict[str, list[float]] = {"floor": [], "modbox": [], "other": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            (home / "model.py").write_text(FIRST_RESULT_FILE)
            commands = modbox_commands(home, other)
            for turn in range(launches + 1):
                ms = {"floor": floor(home, server)}
                for label, command in commands.items():
                    ms[label] = launched_until_shown(home, server, command, shown, limit)
                if turn:
                    for label, value in ms.items():
                        times[label].append(value)
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)
    return times


def say_other(other: Path | None, times: dict[str, list[float]], floor: float) -> None:
    if other is not None:
        theirs = statistics.median(times["other"])
        say(f"  {f'modbox from {other}':<46} {theirs:>21.0f} ms")
        say(f"  {'  its ratio to the floor':<46} {f'{theirs / floor:.2f}x':>24}")


# ---------------------------------------------------------------- 0. first result in tmux

def floor_ms(home: Path, server: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([*launch_env(home), sys.executable, "-c", FLOOR], check=True, cwd=home,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000


def bench_first_result(launches: int, other: Path | None) -> None:
    say("Launch to first result: modbox play model.py until the Modules pane shows the model "
        "(tmux 160x50), in turn with the floor")
    times = launches_in_turn("result", launches, other, FIRST_RESULT_SHOWN, 120, floor_ms)
    if times is None:
        return
    floor = statistics.median(times["floor"])
    med = statistics.median(times["modbox"])
    row(f"modbox play model.py, median of {launches}",
        f"{med:.0f} ms (p95 {p95(times['modbox']):.0f} ms)", "<= 1.1x floor", med <= 1.1 * floor)
    say(f"  {'fresh python: import torch, one Linear (floor)':<46} {floor:>21.0f} ms")
    say(f"  {'modbox / floor':<46} {f'{med / floor:.2f}x':>24}")
    say_other(other, times, floor)


# ---------------------------------------------------------------- 1. first frame in tmux

def bare_app_ms(home: Path, server: str) -> float:
    return launched_until_shown(home, server, [*launch_env(home), sys.executable, "-c", BARE_TEXTUAL_APP],
                                FIRST_FRAME_SHOWN, 30)


def bench_first_frame(launches: int, other: Path | None) -> None:
    say("Launch to first frame with its footer keys (tmux 160x50; modbox and the floor alternate)")
    times = launches_in_turn("frame", launches, other, FIRST_FRAME_SHOWN, 30, bare_app_ms)
    if times is None:
        return
    ours, floor = statistics.median(times["modbox"]), statistics.median(times["floor"])
    row(f"modbox play model.py, median of {launches}",
        f"{ours:.0f} ms (p95 {p95(times['modbox']):.0f} ms)", "<= 1.3x floor", ours <= 1.3 * floor)
    say(f"  {'bare Textual app (the floor), median':<46} {floor:>21.0f} ms")
    say(f"  {'modbox / floor; modbox - floor':<46} {f'{ours / floor:.2f}x; +{ours - floor:.0f} ms':>24}")
    say_other(other, times, floor)


# ---------------------------------------------------------------- 2. 100k events

def bench_events(n: int = 100_000) -> None:
    say(f"A run that streams {n:,} events into the Hooks pane")
    report = many_events_report(n)
    # a fresh Report object per run, so the bench can tell the new one from the last
    sandbox = ScriptedSandbox(lambda s: dataclasses.replace(report), delay=n / 100_000 * 5.0,
                              progress_batches=max(1, round(n / 100_000 * 100)))
    app = ModboxApp(sandbox_factory=lambda: sandbox)
    gaps: list[float] = []
    figures = {}

    async def main():
        async with app.run_test(size=(160, 50)) as pilot:
            ws = app.workspace
            while ws.running or ws.last_report is None:
                await pilot.pause(0.05)
            ws.live = False
            ws.show_pane("hooks")
            await pilot.pause(0.2)
            last = [time.perf_counter()]

            def tick():
                now = time.perf_counter()
                gaps.append((now - last[0]) * 1000 - 10)
                last[0] = now

            timer = app.set_interval(0.01, tick)
            await pilot.pause(2.0)  # the same timer with nothing running: this machine's noise floor
            figures["idle"] = list(gaps)
            gaps.clear()
            t0 = time.perf_counter()
            seen = ws.last_report
            ws.run_now()
            while ws.last_report is seen:
                await asyncio.sleep(0.01)
            figures["run"] = (time.perf_counter() - t0) * 1000
            await pilot.pause(0.5)
            timer.stop()
            events = ws.query_one(EventList)
            events.focus()
            await pilot.press("end")
            figures["shown"] = len(events.shown)
            figures["last"] = events.selected.seq if events.selected else None

    asyncio.run(main())
    worst = max(gaps)
    row("events reachable in the Hooks pane", f"{figures['shown']:,} (last seq {figures['last']:,})",
        f"{n:,}", figures["shown"] == n and figures["last"] == n - 1)
    row("worst event-loop stall while streaming", f"{worst:.0f} ms (p95 {p95(gaps):.0f} ms)",
        "<= 50 ms", worst <= 50)
    idle = figures["idle"]
    row("  the same timer, idle app (noise floor)", f"{max(idle):.0f} ms (p95 {p95(idle):.0f} ms)",
        "(context)", True)
    row("run start to report shown", f"{figures['run']:.0f} ms", "(streamed ~5 s)", True)


# ---------------------------------------------------------------- 3. 10k-module tree

def bench_tree(repeats: int) -> None:
    say("A 10,000-module model: Report arrives -> Modules tree built and painted")
    shapes = {"deep (100 lists x 99 layers)": huge_model_report(), "flat (Sequential of 9,999)":
              flat_model_report(9_999)}
    for label, report in shapes.items():
        app = ModboxApp(sandbox_factory=lambda: ScriptedSandbox(lambda s: report))
        times: list[float] = []

        async def main():
            async with app.run_test(size=(160, 50)) as pilot:
                ws = app.workspace
                while ws.running or ws.last_report is None:
                    await pilot.pause(0.05)
                for _ in range(repeats):
                    painted = asyncio.get_running_loop().create_future()
                    t0 = time.perf_counter()
                    ws._show_report(report, live=False)
                    app.call_after_refresh(lambda f=painted: f.done() or f.set_result(time.perf_counter()))
                    t1 = await painted
                    times.append((t1 - t0) * 1000)
                    tree = ws.query_one(ModuleTree)
                    assert tree.root.children
                    await pilot.pause(0.1)

        asyncio.run(main())
        med = statistics.median(times)
        row(f"{label}, median of {repeats}", f"{med:.0f} ms (max {max(times):.0f} ms)", "<= 500 ms",
            med <= 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=["launch", "panes"],
                        help="launch: first result and first frame; panes: events and the tree")
    parser.add_argument("--other", type=Path, metavar="DIR",
                        help="also launch the modbox in this source folder, in the same turns")
    args = parser.parse_args()
    os.environ.setdefault("MODBOX_HOME", tempfile.mkdtemp(prefix="modbox-bench-"))
    say(f"modbox UI benchmark on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    if args.only != "panes":
        bench_first_result(args.launches, args.other)
        say()
        bench_first_frame(args.launches, args.other)
    if args.only != "launch":
        say()
        bench_events()
        say()
        bench_tree(args.repeats)


if __name__ == "__main__":
    main()
