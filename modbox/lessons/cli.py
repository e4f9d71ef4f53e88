"""``modbox lessons`` (list lessons with progress) and ``modbox lessons check [DIR]`` (validate).

Exit codes: 0 all good, 1 problems found, 2 usage errors (e.g. DIR is not a folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

from modbox.lessons.leaks import answer_leaks
from modbox.lessons.loader import builtin_lessons_dir, load_catalog
from modbox.lessons.model import Catalog, Lesson
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
        from modbox.sandbox.host.reads import BadReadPath, extra_reads

        try:
            extra = extra_reads(None, getattr(args, "allow_read", None))
        except BadReadPath as e:
            print(f"modbox lessons: {e}", file=sys.stderr)
            return 2

        def make_sandbox():
            from modbox.sandbox import Sandbox

            return Sandbox(reads=extra)

        return check(catalog, make_sandbox)
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


def check(catalog: Catalog, make_sandbox=None) -> int:
    """Validate every lesson; run the runnable ones in the sandbox. Prints each problem, and a
    warning for each sentence that gives a prediction's answer away (they fail the check too).

    ``make_sandbox`` builds the context manager whose ``run(source, filename=, limits=,
    evaluate=)`` returns a Report; default ``modbox.sandbox.Sandbox``.
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
    leaks = {lesson.id: answer_leaks(lesson) for lesson in catalog.lessons}
    for lesson in catalog.lessons:
        if lesson.torch_problem:
            print(f"- {lesson.id}: not run ({lesson.torch_problem})")
            problems += _warn(leaks[lesson.id])
    if runnable:
        from modbox.lessons.verify import verify_lesson

        if make_sandbox is None:
            from modbox.sandbox import Sandbox as make_sandbox
        with make_sandbox() as sandbox:
            for lesson in runnable:
                found = verify_lesson(lesson, _runner(sandbox))
                mark = "✗" if found or leaks[lesson.id] else "✓"
                parts = [_counted(len(lesson.checks), "check"),
                         _counted(len(lesson.predictions), "prediction")]
                parts += ["myth"] * bool(lesson.myth)
                parts += [_counted(len(lesson.cheats), "cheat")] * bool(lesson.cheats)
                print(f"{mark} {lesson.id}: {', '.join(parts)}")
                for problem in found:
                    print(f"  {problem}")
                problems += len(found) + _warn(leaks[lesson.id])
    print("all lessons are good" if not problems else f"{problems} problem(s) found")
    return 1 if problems else 0


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
