"""Costs of the lesson layer, printed side by side: loading, checking, saving progress.

Run: python bench/bench_lessons.py   (no torch needed; prints medians and p95 in milliseconds)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from modbox.lessons import LessonSession, ProgressStore, load_catalog
from modbox.lessons.checks import evaluate
from modbox.lessons.model import Check
from modbox.report import Model, ModuleRow, ParameterRow, Report


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def big_report(n: int) -> Report:
    modules = [ModuleRow("", "Net", 0, 0, 0, "all", True)]
    params = []
    for i in range(n):
        modules.append(ModuleRow(f"layers.{i}", "Linear", 2, 20, 20, "all", True))
        params.append(ParameterRow(f"layers.{i}.weight", [4, 4], 16, "float32", "cpu", True, False))
    model = Model("model", "Net", 20 * n, 20 * n, 80 * n, 0, modules=modules, parameters=params,
                  state_dict_keys=[p.name for p in params])
    return Report(ok=True, models=[model])


def main() -> None:
    rows = []
    rows.append(("load_catalog (built-in lessons)", *timed(load_catalog, 50)))
    lesson = load_catalog().get("registration")
    report = big_report(10)
    rows.append((f"evaluate {len(lesson.checks)} checks, small model",
                 *timed(lambda: evaluate(lesson.checks, report), 200)))
    big = big_report(10_000)
    checks = [Check("m", "modules", "l", "f", options={"has": ["layers.9999"]}),
              Check("s", "state_dict", "l", "f", options={"lacks": ["x"]}),
              Check("c", "count", "l", "f", options={"of": "params", "at_least": 1})]
    rows.append(("evaluate 3 checks, 10,000 modules", *timed(lambda: evaluate(checks, big), 50)))
    with tempfile.TemporaryDirectory() as tmp:
        store = ProgressStore(Path(tmp) / "progress.json")
        session = LessonSession(lesson, store)
        draft = lesson.solution * 20
        rows.append(("save a draft (lock, re-read, atomic write)",
                     *timed(lambda: setattr(session, "draft", draft), 100)))
        rows.append(("read the current step", *timed(lambda: session.step, 200)))
    print(f"{'operation':<46} {'median ms':>10} {'p95 ms':>9}")
    for name, median, p95 in rows:
        print(f"{name:<46} {median:>10.3f} {p95:>9.3f}")


if __name__ == "__main__":
    main()
