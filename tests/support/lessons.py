"""Lesson test helpers: a small valid lesson to vary, and a stand-in sandbox that runs each program
with plain Python in a subprocess (no inspector), enough for checks that read the output and the
outcome."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from modbox.report import Error, Report

SUMMARY = 'summary = "One small thing."'  # a line of VALID that tests replace to add keys
VALID = textwrap.dedent('''\
    id = "tiny"
    title = "Tiny"
    summary = "One small thing."
    torch = ">=2.0"
    objectives = ["Know one thing."]
    hints = ["A nudge.", "The fix."]

    [[steps]]
    id = "intro"
    title = "Intro"
    text = "Some prose."
    prediction = "q"

    [[steps]]
    id = "task"
    title = "Task"
    text = "Do it."
    task = "Make it pass."

    [[predictions]]
    id = "q"
    question = "Which?"
    observe = "print('a')"

    [[predictions.choices]]
    id = "a"
    text = "A"
    explanation = "Because."
    correct = true

    [[predictions.choices]]
    id = "b"
    text = "B"
    explanation = "Not so."

    [[predictions.choices]]
    id = "c"
    text = "C"
    explanation = "Not that either."

    [[checks]]
    id = "runs"
    kind = "outcome"
    is = "ok"
    label = "It runs"
    fail = "It stopped: {actual}"
    ''')


def write_lesson(root: Path, name: str = "tiny", toml: str = VALID, starter: bool = True,
                 solution: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(toml)
    if starter:
        (folder / "starter.py").write_text("raise SystemExit(1)\n")
    if solution:
        (folder / "solution.py").write_text("print('ok')\n")
    return folder



def write_course(root: Path, groups: dict[str, list[str]]) -> Path:
    """A course.toml in ``root``: ``groups`` maps each group's title to its lesson ids, in order."""
    file = root / "course.toml"
    root.mkdir(parents=True, exist_ok=True)
    file.write_text("".join(f'[[groups]]\ntitle = "{title}"\nlessons = [\n'
                            + "".join(f'    "{ident}",\n' for ident in ids) + "]\n\n"
                            for title, ids in groups.items()))
    return file


class SubprocessSandbox:
    """Runs a program with plain Python; reports only outcome and output."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, source, filename="main.py", limits=None, evaluate=()):
        done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                              timeout=60)
        if done.returncode == 0:
            return Report(ok=True, stdout=done.stdout, stderr=done.stderr)
        last = (done.stderr.strip().splitlines() or ["exit"])[-1]
        return Report(ok=False, stdout=done.stdout, error=Error(kind="exception", message=last))
