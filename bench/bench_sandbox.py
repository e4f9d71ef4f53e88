"""Sandbox performance against the targets of the Foundation issue, printed side by side.

    python bench/bench_sandbox.py [--runs 100] [--tiers bwrap,landlock,plain] [--other DIR]

Warm runs go through the Python API (Sandbox.run), exactly as the app and `modbox inspect` use
it, once the zygote has done its warm-up (in its first idle moment after the first run). The
baseline is a fresh interpreter per run (import torch, run the same file). Figures on
a shared 2-core machine move with its load: the script prints the load average beside them.

``--other DIR`` also times warm runs of the modbox in that source folder (another checkout), in
turns with these, so that both see the same load: the way to compare a change with what it
changes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

_SERVE = "--serve-warm"  # internal: time warm runs of the modbox in DIR, as many as asked
SOURCE = (Path(sys.argv[sys.argv.index(_SERVE) + 1]) if _SERVE in sys.argv
          else Path(__file__).parent.parent).resolve()
sys.path.insert(0, str(SOURCE))

from modbox.sandbox import Limits, Sandbox  # noqa: E402
from modbox.sandbox.host.tiers import TIERS, problems_by_tier  # noqa: E402
from modbox.sandbox.child.zygote import IDLE_BEFORE_WARM_S  # noqa: E402

MLP = """\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))

    def forward(self, x):
        return self.net(x)


model = MLP()
print(model(torch.randn(8, 16)).shape)
"""

EVENTS = 300_000
EVENT_LOOP = f"""\
from modbox.sandbox.child import sink
emit = sink.active.emit
for i in range({EVENTS}):
    emit({{"kind": "forward", "path": "net.0", "cls": "Linear", "outputs": [[8, 32]]}})
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def warmed_up(sb: Sandbox) -> None:
    """Wait for the zygote's warm-up, which it does in its first idle moment after the first
    run (as it does while a learner reads the first result)."""
    probe = "import sys; print('torch._dynamo' in sys.modules)"
    deadline = time.monotonic() + 120
    while sb.run(probe).stdout.strip() != "True":
        if time.monotonic() > deadline:
            raise RuntimeError("the zygote did not warm up within 120 s")
        time.sleep(2 * IDLE_BEFORE_WARM_S)


def warm_runs(sb: Sandbox, runs: int, warm: bool = False) -> list[float]:
    if not warm:
        warmed_up(sb)
        for _ in range(5):
            sb.run(MLP)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        report = sb.run(MLP)
        times.append((time.perf_counter() - start) * 1000)
        assert report.ok, report.error
    return times


def serve_warm(tier: str) -> None:
    """Warm runs for another process, which names how many on each line of stdin and reads
    their times, as a JSON list, on a line of stdout."""
    with Sandbox(tier=tier) as sb:
        sb.wait_ready(120)
        warm_runs(sb, 0)
        print("[]", flush=True)
        for line in sys.stdin:
            print(json.dumps(warm_runs(sb, int(line), warm=True)), flush=True)


def warm_runs_in_turns(sb: Sandbox, tier: str, other: Path, runs: int) -> tuple[list, list]:
    """Warm runs of this modbox and of the one in ``other``, in turns of 10 runs each."""
    serving = subprocess.Popen(
        [sys.executable, __file__, _SERVE, str(other), tier], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
    )
    try:
        serving.stdout.readline()
        warm_runs(sb, 0)
        ours: list[float] = []
        theirs: list[float] = []
        turn = 10
        for done in range(0, runs, turn):
            k = min(turn, runs - done)
            ours += warm_runs(sb, k, warm=True)
            serving.stdin.write(f"{k}\n")
            serving.stdin.flush()
            theirs += json.loads(serving.stdout.readline())
        return ours, theirs
    finally:
        serving.stdin.close()
        serving.wait(60)


def fresh_runs(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", MLP], check=True, capture_output=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def ready_and_restart(tier: str, tries: int) -> tuple[list[float], list[float]]:
    ready, restart = [], []
    for _ in range(tries):
        start = time.perf_counter()
        sb = Sandbox(tier=tier)
        sb.start()
        assert sb.wait_ready(120)
        ready.append((time.perf_counter() - start) * 1000)
        sb.run("pass")
        start = time.perf_counter()
        os.kill(sb.zygote_pid, signal.SIGKILL)
        while sb.ready:
            time.sleep(0.0005)
        assert sb.wait_ready(120)
        restart.append((time.perf_counter() - start) * 1000)
        sb.close()
    return ready, restart


def events_per_second(sb: Sandbox) -> float:
    best = 0.0
    for _ in range(3):
        gc.collect()  # the previous report's events are gone: each try starts alike
        report = sb.run(EVENT_LOOP, limits=Limits(max_events=EVENTS, wall=60))
        assert report.ok and len(report.events) == EVENTS, report.error
        best = max(best, EVENTS / (report.timing.total / 1000))
        del report
    return best


def cpu_per_run(sb: Sandbox, runs: int) -> tuple[float, float]:
    """CPU milliseconds one warm run costs the sandbox's processes and the client: unlike wall
    time, this hardly depends on what else the machine is doing."""
    tree = _processes_below(sb.zygote_pid)
    sandbox_before, client_before = _cpu_ms(tree), time.process_time()
    for _ in range(runs):
        sb.run(MLP)
    # Run children are gone by now; their CPU time was added to the zygote's "children" fields.
    sandbox = (_cpu_ms(tree) - sandbox_before) / runs
    return sandbox, (time.process_time() - client_before) * 1000 / runs


def _processes_below(root: int) -> list[int]:
    found = [root]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == root:
                found += _processes_below(int(entry))
    return found


def _cpu_ms(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--fresh", type=int, default=5)
    parser.add_argument("--tiers", default=",".join(t for t in TIERS if not problems_by_tier()[t]))
    parser.add_argument("--other", type=Path, metavar="DIR",
                        help="also time warm runs of the modbox in this source folder, in turns")
    if _SERVE in sys.argv:
        serve_warm(sys.argv[-1])
        return
    args = parser.parse_args()
    tiers = args.tiers.split(",")

    rows = []
    load = os.getloadavg()[0]
    fresh = fresh_runs(args.fresh)
    fresh_med = statistics.median(fresh)
    rows.append(("fresh interpreter per run, median", f"{fresh_med:.0f} ms", "(baseline)", ""))
    for tier in tiers:
        with Sandbox(tier=tier) as sb:
            sb.wait_ready(120)
            if args.other is None:
                warm = warm_runs(sb, args.runs)
            else:
                warm, theirs = warm_runs_in_turns(sb, tier, args.other.resolve(), args.runs)
            med, p95 = statistics.median(warm), percentile(warm, 0.95)
            sandbox_cpu, client_cpu = cpu_per_run(sb, args.runs)
            rate = events_per_second(sb)
        ready, restart = ready_and_restart(tier, 3)
        ratio = fresh_med / med
        rows += [
            (f"[{tier}] warm run, median", f"{med:.1f} ms", "<= 20 ms", _ok(med <= 20)),
            (f"[{tier}] warm run, p95", f"{p95:.1f} ms", "<= 30 ms", _ok(p95 <= 30)),
            (f"[{tier}] fresh / warm", f"{ratio:.0f}x", ">= 100x", _ok(ratio >= 100)),
        ]
        if args.other is not None:
            their_med = statistics.median(theirs)
            rows += [
                (f"[{tier}] warm run of {args.other}, median", f"{their_med:.1f} ms",
                 "(in turns)", f"this one: {med / their_med:.2f}x of its time"),
                (f"[{tier}] warm run of {args.other}, p95", f"{percentile(theirs, 0.95):.1f} ms",
                 "", ""),
                (f"[{tier}] fresh / warm run of {args.other}", f"{fresh_med / their_med:.0f}x",
                 "", ""),
            ]
        rows += [
            (f"[{tier}] CPU per warm run: sandbox + client",
             f"{sandbox_cpu:.1f}+{client_cpu:.1f} ms", "", "(CPU, not wall: less load-dependent)"),
            (f"[{tier}] zygote ready, median of 3", f"{statistics.median(ready):.0f} ms",
             "<= 1500 ms", _ok(statistics.median(ready) <= 1500)),
            (f"[{tier}] restart after a kill, median of 3", f"{statistics.median(restart):.0f} ms",
             "<= 1500 ms", _ok(statistics.median(restart) <= 1500)),
            (f"[{tier}] events child -> client", f"{rate / 1000:.0f}k/s", ">= 300k/s",
             _ok(rate >= 300_000)),
        ]
    width = max(len(r[0]) for r in rows)
    print(f"modbox sandbox benchmark: {args.runs} warm runs per tier, load average {load:.2f}, "
          f"{os.cpu_count()} cores")
    print(f"{'measure':<{width}}  {'figure':>10}  {'target':>10}")
    for name, figure, target, verdict in rows:
        print(f"{name:<{width}}  {figure:>10}  {target:>10}  {verdict}")


def _ok(met: bool) -> str:
    return "ok" if met else "MISSED"


if __name__ == "__main__":
    main()
