"""Prove a lesson true on the installed torch by running it: the heart of ``modbox lessons check``.

For each lesson that loaded: the starter and every ``cheats/*.py`` must each fail at least one
check, the solution must pass every check, each prediction's ``observe`` run must print the id of the choice the file marks
correct, and the myth's code must run (and print ``expect``). Problems use the loader's
``file:line: key: what is wrong`` form. Running is delegated to a ``run(source, lesson)``
callable so this module needs no sandbox of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from modbox.report import Report

from modbox.lessons import checks
from modbox.lessons.loader import CHEATS, LESSON_FILE
from modbox.lessons.mutants import Mutant, mutants, sample
from modbox.lessons.model import Lesson
from modbox.lessons.session import observed_choice
from modbox.lessons.toml_lines import key_lines, line_of

# run(source, lesson, evaluate): the Report of ``source`` run with ``lesson``'s limits, with the
# expressions ``evaluate`` answered in Report.values (see checks.expressions)
Runner = Callable[[str, Lesson, list], Report]


def verify_lesson(lesson: Lesson, run: Runner) -> list[str]:
    """Every problem found by running ``lesson``'s code; empty when the lesson is true."""
    toml = lesson.path / LESSON_FILE
    lines = key_lines(toml.read_text(encoding="utf-8"))
    problems: list[str] = []

    def problem(path: tuple, key: str, what: str) -> None:
        problems.append(f"{toml}:{line_of(lines, path)}: {key}: {what}")

    asked = checks.expressions(lesson.checks)
    starter = _evaluate(lesson, run(lesson.starter, lesson, asked))
    if all(r.passed for r in starter):
        problem(("checks",), "checks", "starter.py passes every check; it must fail at least one")

    solution_report = run(lesson.solution, lesson, asked)
    for i, result in enumerate(_evaluate(lesson, solution_report)):
        if not result.passed:
            problem(("checks", i), f"checks[{result.id}]",
                    f"solution.py fails this check: {result.message}")

    for name, source in lesson.cheats:
        if all(r.passed for r in _evaluate(lesson, run(source, lesson, asked))):
            problems.append(f"{lesson.path / CHEATS / name}:1: {CHEATS}/{name}: this cheat passes "
                            f"every check; a cheat must fail at least one (add a check on the "
                            f"state it fakes)")

    for i, prediction in enumerate(lesson.predictions):
        observed, why = observed_choice(prediction, run(prediction.observe, lesson, []))
        key = f"predictions[{prediction.id}].observe"
        if observed is None:
            problem(("predictions", i, "observe"), key, why)
        elif observed.id != prediction.marked.id:
            problem(("predictions", i, "observe"), key,
                    f"on this torch the run shows {observed.id!r}, but the lesson marks "
                    f"{prediction.marked.id!r} as correct")

    if lesson.myth is not None:
        report = run(lesson.myth.code, lesson, [])
        if not report.ok:
            kind = report.error.kind if report.error else "error"
            message = report.error.message if report.error else ""
            problem(("myth", "code"), "myth.code", f"the myth's code must run, but it stopped: "
                                                    f"{kind}: {message}")
        elif lesson.myth.expect is not None and lesson.myth.expect not in report.stdout:
            tail = " / ".join(report.stdout.strip().splitlines()[-3:]) or "nothing"
            problem(("myth", "expect"), "myth.expect",
                    f"the myth's code did not print {lesson.myth.expect!r}; it printed: {tail}")
    return problems


def _evaluate(lesson: Lesson, report: Report) -> list[checks.CheckResult]:
    return checks.evaluate(lesson.checks, report, lesson.overrides)


@dataclass(frozen=True)
class MutantScore:
    """How a lesson's checks did against mutants of its solution."""

    tried: int  # mutants run (after ``limit``)
    derived: int  # mutants derived in all
    killed: int  # failed at least one check
    equivalent: list[Mutant]  # survived, and the lesson lists them as equivalent
    survivors: list[Mutant]  # survived, and the lesson does not explain them: each a problem
    stale: list[str]  # listed as equivalent, but no longer derived from the solution


def score_mutants(lesson: Lesson, run: Runner, limit: int | None = None) -> MutantScore:
    """Run the lesson's checks on mutants of its solution.py (at most ``limit``)."""
    derived = mutants(lesson.solution)
    chosen = sample(derived, limit)
    asked = checks.expressions(lesson.checks)
    listed = {name for name, _why in lesson.equivalent_mutants}
    killed, equivalent, survivors = 0, [], []
    for mutant in chosen:
        if not all(r.passed for r in _evaluate(lesson, run(mutant.source, lesson, asked))):
            killed += 1
        elif mutant.name in listed:
            equivalent.append(mutant)
        else:
            survivors.append(mutant)
    stale = [name for name, _why in lesson.equivalent_mutants
             if name not in {m.name for m in derived}]
    return MutantScore(len(chosen), len(derived), killed, equivalent, survivors, stale)


def survivor_problem(lesson: Lesson, mutant: Mutant) -> str:
    """A surviving mutant the lesson does not list, with its diff."""
    diff = "\n".join(f"      {line}" for line in mutant.diff.splitlines())
    return (f"{lesson.path / 'solution.py'}:{mutant.line}: mutant survives every check: "
            f"{mutant.name}; kill it with a check, or list it under [[equivalent_mutants]] "
            f"with why it changes nothing\n{diff}")


def stale_problem(lesson: Lesson, name: str) -> str:
    """An equivalent mutant the lesson lists that its solution no longer gives."""
    toml = lesson.path / LESSON_FILE
    index = [listed for listed, _why in lesson.equivalent_mutants].index(name)
    line = line_of(key_lines(toml.read_text(encoding="utf-8")), ("equivalent_mutants", index))
    return (f"{toml}:{line}: equivalent_mutants: {name!r} is not a mutant of solution.py "
            f"(any more): remove it")
