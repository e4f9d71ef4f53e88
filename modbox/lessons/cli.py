"""``modbox lessons`` (list lessons with progress) and ``modbox lessons check [DIR]`` (validate).

Exit codes: 0 all good, 1 problems found, 2 usage errors (e.g. DIR is not a folder).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from modbox.lessons.leaks import answer_leaks
from modbox.lessons.loader import builtin_lessons_dir, load_catalog
from modbox.lessons.model import CHEAT_KINDS, Catalog, Lesson, cheat_kind
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import sandbox_limits
from modbox.lessons.versions import installed_torch


def main(args) -> int:
    folder = getattr(args, "dir", None) or getattr(args, "lessons", None)
    root = Path(folder) if folder else builtin_lessons_dir()
    if not root.is_dir():
        print(f"modbox lessons: {root} is not a folder. Give a folder that holds lesson folders "
              f"(each with a lesson.toml), e.g. `modbox lessons check lessons/`.", file=sys.stderr)
        return 2
    catalog = load_catalog(root)
    if getattr(args, "action", "list") == "check":
        mutants = getattr(args, "mutants", None)
        if mutants and catalog.get(mutants) is None:
            print(f"modbox lessons: no lesson {mutants!r} in {root}. Give the id of one of its "
                  f"lessons after --mutants, or none to try every lesson's mutants.",
                  file=sys.stderr)
            return 2
        from modbox.sandbox.host.reads import BadReadPath, extra_reads

        try:
            extra = extra_reads(None, getattr(args, "allow_read", None))
        except BadReadPath as e:
            print(f"modbox lessons: {e}", file=sys.stderr)
            return 2

        return check(catalog, mutants=mutants, mutant_limit=getattr(args, "mutant_limit", None),
                     reads=extra)
    return show_list(catalog, ProgressStore())


def show_list(catalog: Catalog, store: ProgressStore) -> int:
    progress = store.all()
    if store.problem:
        print(store.problem)
    width = max((len(lesson.id) for lesson in catalog.lessons), default=0)
    for number, (heading, lessons) in enumerate(catalog.groups()):
        print(("\n" if number else "") + heading)
        for lesson in lessons:
            record = progress.get(lesson.id)
            status = record.status if record else "new"
            if status == "started" and record.step:
                index = lesson.step_index(record.step)
                status += f" (step {index + 1}/{len(lesson.steps)})" if index is not None else ""
            note = f"  [{lesson.torch_problem}]" if lesson.torch_problem else ""
            print(f"{lesson.order:>3}  {lesson.id:<{width}}  {lesson.title}  ({status}){note}")
    if catalog.broken and catalog.lessons:
        print()  # broken lessons belong to no group: keep them apart from the last one
    for broken in catalog.broken:
        name = broken.id or broken.path.name
        print(f"  !  {name:<{width}}  broken: {broken.errors[0]}")
    if not catalog.lessons and not catalog.broken:
        print(f"no lessons in {catalog.root}")
    return 0


def check(catalog: Catalog, make_sandbox=None, mutants: str | None = None,
          mutant_limit: int | None = None, reads: list = ()) -> int:
    """Validate every lesson; run the runnable ones in the sandbox. Prints each problem, and a
    warning for each sentence that gives a prediction's answer away (they fail the check too).

    ``mutants``: None, or "" for every lesson, or one lesson's id: also run the checks on
    mutants of the solution (at most ``mutant_limit`` per lesson), print the score, and count
    each survivor the lesson does not list as equivalent as a problem.

    ``make_sandbox`` builds the context manager whose ``run(source, filename=, limits=,
    evaluate=)`` returns a Report; default ``modbox.sandbox.Sandbox``, whose runs may also read
    ``reads`` (--allow-read and config.toml's folders).
    """
    print(f"checking {_counted(len(catalog.lessons) + len(catalog.broken), 'lesson')} in {catalog.root} "
          f"(torch {installed_torch() or 'not installed'})")
    problems = 0
    for broken in catalog.broken:
        print(f"✗ {broken.id or broken.path.name}")
        for error in broken.errors:
            print(f"  {error}")
        problems += len(broken.errors)
    runnable = [lesson for lesson in catalog.lessons if not lesson.torch_problem]
    leaks = {lesson.id: answer_leaks(lesson, catalog) for lesson in catalog.lessons}
    for lesson in catalog.lessons:
        if lesson.torch_problem:
            print(f"- {lesson.id}: not run ({lesson.torch_problem})")
            problems += _warn(leaks[lesson.id])
    if runnable:
        from modbox.lessons.verify import verify_lesson

        warm = make_sandbox is None
        if make_sandbox is None:
            from modbox.sandbox import Sandbox

            def make_sandbox():
                return Sandbox(reads=reads)
        with make_sandbox() as sandbox:
            if warm:
                _let_it_warm(sandbox)
            for lesson in runnable:
                found = verify_lesson(lesson, _runner(sandbox))
                score = None
                if mutants is not None and mutants in ("", lesson.id):
                    from modbox.lessons.verify import score_mutants

                    score = score_mutants(lesson, _runner(sandbox), mutant_limit)
                    found += _survivors(lesson, score)
                mark = "✗" if found or leaks[lesson.id] else "✓"
                parts = [_counted(len(lesson.checks), "check"),
                         _counted(len(lesson.predictions), "prediction")]
                parts += ["myth"] * bool(lesson.myth)
                parts += [_counted(len(lesson.cheats), "cheat")] * bool(lesson.cheats)
                print(f"{mark} {lesson.id}: {', '.join(parts)}")
                if lesson.cheats:
                    print(f"  cheats by kind: {_cheat_kinds(lesson)}")
                if score is not None:
                    print(f"  {_score_line(score)}")
                for problem in found:
                    print(f"  {problem}")
                problems += len(found) + _warn(leaks[lesson.id])
    print("all lessons are good" if not problems else f"{problems} problem(s) found")
    return 1 if problems else 0


def _cheat_kinds(lesson) -> str:
    """How many cheats of each kind, in the documented order, e.g. "misconception 2, partial 3"
    (a cheat whose first line names no kind counts as "unlabelled")."""
    kinds = Counter(cheat_kind(source) or "unlabelled" for _, source in lesson.cheats)
    order = [*CHEAT_KINDS, "unlabelled"]
    return ", ".join(f"{kind} {kinds[kind]}" for kind in order if kinds[kind])


def _score_line(score) -> str:
    """How many mutants the lesson's checks kill, e.g. "mutants: 25/28 killed, 3 listed as
    equivalent, 0 unexplained"."""
    of = f" of {score.derived}" if score.tried < score.derived else ""
    equivalent = f", {len(score.equivalent)} listed as equivalent" if score.equivalent else ""
    return (f"mutants: {score.killed}/{score.tried}{of} killed{equivalent}, "
            f"{len(score.survivors)} unexplained")


def _survivors(lesson: Lesson, score) -> list[str]:
    from modbox.lessons.verify import stale_problem, survivor_problem

    return ([survivor_problem(lesson, mutant) for mutant in score.survivors]
            + [stale_problem(lesson, name) for name in score.stale])


def _let_it_warm(sandbox) -> None:
    """One run, then the idle moment the sandbox waits for before it imports what a first
    optimizer needs (seconds, see modbox/sandbox/child/zygote.py). Runs back to back never leave it
    one, and every run would pay that import itself."""
    from modbox.sandbox.child.zygote import IDLE_BEFORE_WARM_S

    sandbox.run("pass", filename="main.py")
    time.sleep(IDLE_BEFORE_WARM_S * 2)


def _warn(warnings: list[str]) -> int:
    for warning in warnings:
        print(f"  warning: {warning}")
    return len(warnings)


def _runner(sandbox):
    def run(source: str, lesson: Lesson, evaluate: list[str]):
        return sandbox.run(source, filename="main.py", limits=sandbox_limits(lesson),
                           evaluate=evaluate)

    return run


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
