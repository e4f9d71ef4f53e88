"""What a lesson is, once its folder has been read and validated: plain frozen dataclasses.

Everything is keyed by stable ids (lesson, step, prediction, choice, check), never by position,
so progress saved against one version of a lesson survives edits that add, remove or reorder
its parts. The format these come from is described in ``docs/lessons.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

@dataclass(frozen=True)
class Choice:
    """One answer to a prediction. ``explanation`` says why this choice is right or wrong."""

    id: str
    text: str
    explanation: str
    correct: bool = False


@dataclass(frozen=True)
class Prediction:
    """A question asked before the run that answers it.

    ``observe`` is a small program run in the sandbox against the installed torch: the last
    non-empty line it prints is the id of the choice that is true. That run, not the
    ``correct`` flag in the file, decides the answer the learner is shown.
    """

    id: str
    question: str
    choices: tuple[Choice, ...]
    observe: str

    @property
    def marked(self) -> Choice:
        """The choice the lesson file marks as correct (the loader guarantees exactly one)."""
        return next(c for c in self.choices if c.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Step:
    """One screenful of the lesson: Markdown prose, optionally a prediction, a task or the myth."""

    id: str
    title: str
    text: str
    prediction: str | None = None  # id of a Prediction asked at this step
    task: str | None = None  # Markdown: what to change in the code; the checks are shown here
    myth: bool = False  # this step presents the lesson's myth


@dataclass(frozen=True)
class Check:
    """A declarative test of the learner's run. ``options`` holds the kind-specific keys."""

    id: str
    kind: str
    label: str  # shown beside ✓ / ✗ at all times
    fail: str  # shown when it fails; "{actual}" is replaced by what the run showed
    model: str | None = None  # variable name of the model to look at; None: the first model
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Myth:
    """A common belief, refuted by running ``code`` (whose output contains ``expect``)."""

    claim: str
    code: str
    explanation: str
    expect: str | None = None


@dataclass(frozen=True)
class Limits:
    """Per-lesson sandbox limits, named as in ``modbox.sandbox``'s Limits; None keeps its default."""

    wall: float | None = None  # seconds of wall-clock time per run
    memory_mb: int | None = None  # MiB above what the run child uses after importing torch

    def overrides(self) -> dict:
        """The limits this lesson sets, for ``dataclasses.replace(sandbox_limits, **overrides)``."""
        return {k: v for k, v in (("wall", self.wall), ("memory_mb", self.memory_mb)) if v is not None}


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    torch: str  # version specifier, e.g. ">=2.4"
    objectives: tuple[str, ...]
    steps: tuple[Step, ...]
    checks: tuple[Check, ...]
    hints: tuple[str, ...]  # tiers, smallest nudge first; the last one is the fix itself
    starter: str  # text of starter.py
    solution: str  # text of solution.py
    path: Path  # the lesson's folder
    summary: str = ""
    requires: tuple[str, ...] = ()
    predictions: tuple[Prediction, ...] = ()
    myth: Myth | None = None
    limits: Limits = Limits()
    files: tuple[str, ...] = ()  # extra files beside lesson.toml, relative to the folder
    cheats: tuple[tuple[str, str], ...] = ()  # (file name, text) of cheats/*.py: each must fail a check
    torch_problem: str | None = None  # set when the installed torch does not satisfy ``torch``
    # From the course file (modbox.lessons.course): the position in the course, from 1, and the
    # title of the group (the menu section) the lesson is listed under.
    order: int = 0
    group: str = ""

    def prediction(self, prediction_id: str) -> Prediction | None:
        return next((p for p in self.predictions if p.id == prediction_id), None)

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)


@dataclass(frozen=True)
class BrokenLesson:
    """A lesson folder that could not be loaded. ``errors`` are ``file:line: key: what is wrong``."""

    path: Path
    errors: tuple[str, ...]
    id: str | None = None  # when the file got far enough to say
    title: str | None = None


@dataclass(frozen=True)
class Catalog:
    """Every lesson of a folder: the good ones in order, and the broken ones with their errors."""

    root: Path
    lessons: tuple[Lesson, ...] = ()
    broken: tuple[BrokenLesson, ...] = ()

    def get(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def groups(self) -> list[tuple[str, tuple[Lesson, ...]]]:
        """(section heading, its lessons in order) for each group that has lessons, in course order."""
        headings = dict.fromkeys(lesson.group for lesson in self.lessons)
        return [(heading, tuple(lesson for lesson in self.lessons if lesson.group == heading))
                for heading in headings]

    @property
    def errors(self) -> list[str]:
        return [e for b in self.broken for e in b.errors]
