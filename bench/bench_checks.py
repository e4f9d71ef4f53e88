"""What sealed checks cost, printed side by side with what a run costs anyway.

    python bench/bench_checks.py             # under a minute
    python bench/bench_checks.py --mutants   # adds a full `modbox lessons check --mutants` (minutes)

1. The tampering watch: its snapshot before a run and its comparison after, in-process (CPU
   time of this thread), beside a warm sandbox run of a one-line program (wall time): the
   watch should stay a small part of the fastest run there is.
2. A differential check: one warm run of a lesson's solution without its checks' expressions
   and with them, median wall time, and the ratio.
3. With --mutants: `modbox lessons check` over the built-in lessons, without and with
   `--mutants` (target: the full run with mutants under 5 minutes on a 2-core machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from modbox.lessons import checks, load_catalog
from modbox.lessons.loader import builtin_lessons_dir
from modbox.lessons.session import sandbox_limits
from modbox.sandbox import Sandbox


def median_ms(fn, clock=time.perf_counter, repeat: int = 7) -> float:
    samples = []
    for _ in range(repeat):
        start = clock()
        fn()
        samples.append((clock() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    from modbox.probe import sealed

    snapshot = median_ms(sealed.Watch, time.thread_time, 30)
    watch = sealed.Watch()
    compare = median_ms(lambda: watch.changes("", "main.py"), time.thread_time, 30)
    lesson = load_catalog(builtin_lessons_dir()).get("functional")
    asked = checks.expressions(lesson.checks)
    with Sandbox() as sandbox:
        sandbox.run("pass")
        time.sleep(1.5)  # the sandbox's idle moment: its warm-up (see modbox/lessons/cli.py)
        floor = median_ms(lambda: sandbox.run("x = 1"))
        limits = sandbox_limits(lesson)
        plain = median_ms(lambda: sandbox.run(lesson.solution, filename="main.py", limits=limits))
        checked = median_ms(lambda: sandbox.run(lesson.solution, filename="main.py", limits=limits,
                                              evaluate=asked))
    print(f"tampering watch: snapshot {snapshot:.2f} ms + compare {compare:.2f} ms (CPU) beside a "
          f"warm one-line run {floor:.1f} ms (wall): {(snapshot + compare) / floor:.0%} of it")
    print(f"functional's solution: {plain:.1f} ms without its checks' expressions, {checked:.1f} ms "
          f"with them (a differential check among them): x{checked / plain:.2f}")
    if "--mutants" in sys.argv:
        times = {}
        for label, extra in (("lessons check", []), ("lessons check --mutants", ["--mutants"])):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "modbox", "lessons", "check", *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[label] = time.perf_counter() - start
        plain_s, mutants_s = times.values()
        print(f"modbox lessons check: {plain_s:.0f} s; with --mutants: {mutants_s:.0f} s "
              f"(x{mutants_s / plain_s:.1f}; target under 300 s: "
              f"{'ok' if mutants_s < 300 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
