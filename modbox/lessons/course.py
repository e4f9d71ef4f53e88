"""The course file: a folder of lessons lists its groups, and each group's lesson ids in order, in
``course.toml`` beside the lesson folders, so that reordering a course is an edit of one file.

::

    [[groups]]
    title = "The basics"
    lessons = ["objects", "anatomy", "registration"]

A folder without a course file lists its lessons by id under one heading. The format is
described for teachers in ``docs/lessons.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from modbox import storage
from modbox.lessons.model import BrokenLesson, Lesson

tomllib = storage.toml_parser()

COURSE_FILE = "course.toml"
# The one heading of a folder of lessons without a course file (and of a lesson folder checked alone).
UNGROUPED = "Lessons"


@dataclass(frozen=True)
class Course:
    """(group title, its lesson ids in order) for each group, in menu order."""

    file: Path
    groups: tuple[tuple[str, tuple[str, ...]], ...]


class CourseFileError(Exception):
    """``course.toml`` cannot be read as a course: ``errors`` are ``file:line: key: what``."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_course(root: Path) -> Course | None:
    """The course file of the folder ``root``; None when it has none. Raises CourseFileError."""
    file = root / COURSE_FILE
    if not file.is_file():
        return None
    try:
        text = storage.read_text(file)
        data = tomllib.loads(text)
    except storage.NotText as e:
        raise CourseFileError([f"{file}:{e.line}: (file): {e.what}"]) from None
    except OSError as e:
        raise CourseFileError([f"{file}:1: (file): cannot be read ({e.strerror or e})"]) from None
    except tomllib.TOMLDecodeError as e:
        match = re.search(r"\(at line (\d+), column \d+\)", str(e))
        raise CourseFileError([f"{file}:{match.group(1) if match else 1}: (toml): not valid TOML: {e}"]) from None
    errors = []
    unknown = sorted(set(data) - {"groups"})
    if unknown:
        errors.append(f"{file}:1: {unknown[0]}: unknown key (the course file has only [[groups]])")
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, dict) for g in groups):
        errors.append(f"{file}:1: groups: the course needs at least one [[groups]] table "
                      f"with a `title` and its `lessons`")
        raise CourseFileError(errors)
    found = []
    for number, group in enumerate(groups, start=1):
        title, lessons = group.get("title"), group.get("lessons")
        where = f"{file}:{_group_line(text, number)}: groups"
        if not isinstance(title, str) or not title.strip():
            errors.append(f"{where}: group {number} needs a `title` (the menu heading), a string")
        if not isinstance(lessons, list) or not all(isinstance(i, str) for i in lessons):
            errors.append(f"{where}: group {number} needs `lessons`, a list of lesson ids in order")
        for key in sorted(set(group) - {"title", "lessons"}):
            errors.append(f"{where}: {key}: unknown key (known keys here: title, lessons)")
        found.append((title, tuple(lessons) if isinstance(lessons, list) else ()))
    if errors:
        raise CourseFileError(errors)
    return Course(file, tuple(found))


def place(lessons: list[Lesson], broken: list[BrokenLesson], course: Course | None
          ) -> tuple[list[Lesson], list[BrokenLesson]]:
    """The lessons in course order, each with its ``order`` (from 1) and ``group``; and the
    course's problems as broken lessons: a lesson folder the course does not list, an id listed
    twice, an id listed with no lesson folder, a ``requires`` the course lists later."""
    if course is None:
        ordered = sorted(lessons, key=lambda lesson: lesson.id)
        return [replace(lesson, order=n, group=UNGROUPED) for n, lesson in enumerate(ordered, 1)], []
    text = course.file.read_text(encoding="utf-8")
    position: dict[str, tuple[int, str]] = {}
    problems: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for title, ids in course.groups:
        for ident in ids:
            seen[ident] = seen.get(ident, 0) + 1
            line = _listing_line(text, ident, seen[ident])
            if ident in position:
                problems.setdefault(ident, []).append(
                    f"{course.file}:{line}: lessons: {ident!r} is listed twice: list each lesson once")
            else:
                position[ident] = (len(position) + 1, title)
    known = {lesson.id for lesson in lessons} | {b.id for b in broken if b.id}
    bad = [BrokenLesson(course.file, (f"{course.file}:{_listing_line(text, ident, 1)}: lessons: {ident!r} "
                                      f"is listed, but no lesson folder here has that id",), ident)
           for ident in position if ident not in known]
    for lesson in lessons:
        if lesson.id not in position:
            problems.setdefault(lesson.id, []).append(
                f"{course.file}:1: lessons: the lesson {lesson.id!r} ({lesson.path.name}/) is not in "
                f"the course: add its id to a group's `lessons`, where it belongs in the order")
            continue
        for required in lesson.requires:
            if required in position and position[required][0] > position[lesson.id][0]:
                problems.setdefault(lesson.id, []).append(
                    f"{course.file}:{_listing_line(text, lesson.id, 1)}: lessons: {lesson.id!r} requires "
                    f"{required!r}, which the course lists after it: move one of them")
    good = []
    for lesson in lessons:
        if lesson.id in problems:
            bad.append(BrokenLesson(lesson.path, tuple(problems[lesson.id]), lesson.id, lesson.title))
        else:
            order, group = position[lesson.id]
            good.append(replace(lesson, order=order, group=group))
    good.sort(key=lambda lesson: lesson.order)
    return good, bad


def _group_line(text: str, number: int) -> int:
    """The line of the ``number``-th ``[[groups]]`` header (1 when it is not found)."""
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[groups]]")]
    return headers[number - 1] if len(headers) >= number else 1


def _listing_line(text: str, ident: str, occurrence: int) -> int:
    """The line of the ``occurrence``-th quoted ``ident`` in the course file (1 when not found)."""
    quoted = re.compile(rf"""(["']){re.escape(ident)}\1""")
    hits = [n for n, line in enumerate(text.splitlines(), 1)
            for _ in quoted.finditer(line.split("#", 1)[0])]
    return hits[occurrence - 1] if len(hits) >= occurrence else 1
