"""Read lesson folders into ``Lesson`` objects, reporting every problem as ``file:line: key: what``.

``load_catalog(dir)`` never raises for a bad lesson: a folder that fails validation becomes a
``BrokenLesson`` carrying its messages, and every other lesson still loads. The format is
described for teachers in ``docs/lessons.md``; this module is its single source of truth.
"""

from __future__ import annotations

import dataclasses

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modbox import storage
from modbox.lessons import checks as check_kinds
from modbox.lessons import versions
from modbox.lessons.course import COURSE_FILE, CourseFileError, place, read_course
from modbox.lessons.model import (
    CHEAT_KINDS,
    BrokenLesson,
    Catalog,
    Check,
    Choice,
    Lesson,
    Limits,
    Myth,
    Prediction,
    Step,
    cheat_kind,
)
from modbox.lessons.toml_lines import key_lines, line_of
from modbox.report import OVERRIDABLE

tomllib = storage.toml_parser()

LESSON_FILE = "lesson.toml"
MIN_CHOICES = 3  # per prediction
CHEATS = "cheats"  # a folder of programs that must each fail at least one check
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# key -> (type, required). Types: str, int, bool, number, strings (list of str), table, tables.
TOP = {
    "id": ("str", True), "title": ("str", True), "torch": ("str", True),
    "objectives": ("strings", True), "steps": ("tables", True), "checks": ("tables", True),
    "hints": ("strings", True), "summary": ("str", False), "requires": ("strings", False),
    "predictions": ("tables", False), "myth": ("table", False), "limits": ("table", False),
    "files": ("strings", False), "overrides": ("strings", False),
    "equivalent_mutants": ("tables", False),
}
# Keys a lesson.toml once had, now said once for the whole course in course.toml.
MOVED_TO_COURSE = ("order", "group")
CONFIG = {"args": ("any", False), "kwargs": ("table", False), "build": ("str", False),
          "dtype": ("str", False), "train": ("bool", False)}
OWNED_EVENTS = ("forward_pre", "forward", "zero_grad", "optimizer_step", "load_state_dict")
DTYPES = ("float32", "float64", "float16", "bfloat16")
EQUIVALENT_MUTANT = {"mutant": ("str", True), "why": ("str", True)}
STEP = {"id": ("str", True), "title": ("str", True), "text": ("str", True),
        "prediction": ("str", False), "task": ("str", False), "myth": ("bool", False)}
PREDICTION = {"id": ("str", True), "question": ("str", True), "observe": ("str", True),
              "choices": ("tables", True)}
CHOICE = {"id": ("str", True), "text": ("str", True), "explanation": ("str", True),
          "correct": ("bool", False)}
MYTH = {"claim": ("str", True), "code": ("str", True), "explanation": ("str", True),
        "expect": ("str", False)}
LIMITS = {"wall": ("number", False), "memory_mb": ("int", False)}
CHECK_COMMON = {"id": ("str", True), "kind": ("str", True), "label": ("str", True),
                "fail": ("str", True), "model": ("str", False)}

# "press `n`": a bare letter named as a key
BARE_LETTER_KEY = re.compile(r"\b(?:press|hit)\s+`([a-z])`", re.IGNORECASE)

_TYPE_WORDS = {
    "str": "a string", "int": "an integer", "bool": "true or false", "number": "a number",
    "strings": "a list of strings", "any": "a value", "ints": "a list of integers", "table": "a table", "tables": "a list of tables",
}


class LessonFileError(Exception):
    """Raised by ``load_lesson`` with every message found in one lesson folder."""

    def __init__(self, errors: list[str], lesson_id: str | None = None, title: str | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.lesson_id = lesson_id
        self.title = title


def builtin_lessons_dir() -> Path:
    """The lessons shipped with modbox (a link to the checkout's ``lessons/`` folder, packaged)."""
    return (Path(__file__).parent / "builtin").resolve()


def missing_folder(folder: str | None) -> str | None:
    """Why ``--lessons FOLDER`` cannot be used (it is not a folder), or None."""
    if folder is None or Path(folder).expanduser().is_dir():
        return None
    return (f"the lesson folder {folder} does not exist (or is not a folder). Give --lessons a "
            "folder that holds lesson folders, or leave it out for the built-in lessons.")


def load_catalog(root: Path | str | None = None, torch_version: str | None = None) -> Catalog:
    """Every lesson folder directly under ``root`` (default: the built-in lessons).

    Folders whose names start with ``.`` or ``_`` are skipped. ``torch_version`` defaults to the
    installed torch; lessons whose ``torch`` specifier it does not meet load normally but carry a
    ``torch_problem``. Duplicate ids, unknown or circular ``requires`` and the course file's
    complaints (see ``modbox.lessons.course``) break the lessons concerned, never the others.
    Raises FileNotFoundError when ``root`` is not a folder.
    """
    root = Path(root) if root is not None else builtin_lessons_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder of lessons")
    if torch_version is None:
        torch_version = versions.installed_torch()
    loaded: list[Lesson] = []
    broken: list[BrokenLesson] = []
    single = (root / LESSON_FILE).is_file()
    if single:  # one lesson folder, checked in place: its `requires` name the lessons beside it
        folders = [root]
        known = _ids_beside(root)
    else:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] not in "._")
        known = set()
    for folder in folders:
        try:
            loaded.append(load_lesson(folder, torch_version))
        except LessonFileError as e:
            broken.append(BrokenLesson(folder, tuple(e.errors), e.lesson_id, e.title))
    known |= {b.id for b in broken if b.id}  # a broken lesson still exists: its own errors say why
    good, more_broken = _cross_check(loaded, known, root.resolve().parent if single else None)
    broken += more_broken
    try:
        course = None if single else read_course(root)
    except CourseFileError as e:  # the lessons still load, listed by id, until the course is fixed
        broken.append(BrokenLesson(root / COURSE_FILE, tuple(e.errors), title=COURSE_FILE))
        course = None
    good, misplaced = place(good, broken, course)
    return Catalog(root, tuple(good), tuple(broken + misplaced))


def _ids_beside(folder: Path) -> set[str]:
    """The ids of the lesson folders beside ``folder`` (read, not validated)."""
    ids = set()
    for other in folder.resolve().parent.iterdir():
        try:
            ident = tomllib.loads(storage.read_text(other / LESSON_FILE)).get("id")
        except (OSError, ValueError):  # not text, not TOML: that lesson's own check says so
            ident = _id_of_unreadable(other / LESSON_FILE)
        if isinstance(ident, str) and other.resolve() != folder.resolve():
            ids.add(ident)
    return ids


def load_lesson(folder: Path | str, torch_version: str | None = None) -> Lesson:
    """Read and validate one lesson folder. Raises ``LessonFileError`` listing every problem."""
    folder = Path(folder)
    if torch_version is None:
        torch_version = versions.installed_torch()
    toml_path = folder / LESSON_FILE
    if not toml_path.is_file():
        raise LessonFileError([f"{toml_path}:1: {LESSON_FILE}: file is missing (each lesson folder "
                               f"needs a {LESSON_FILE}, starter.py and solution.py)"])
    try:
        text = _read(toml_path)
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        match = re.search(r"\(at line (\d+), column \d+\)", str(e))
        line = match.group(1) if match else "1"
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise LessonFileError([f"{toml_path}:{line}: (toml): not valid TOML: {what}"],
                              _id_of_unreadable(toml_path)) from None
    except LessonFileError as e:
        e.lesson_id = _id_of_unreadable(toml_path)
        raise
    v = _Validator(toml_path, text)
    lesson = v.lesson(data, folder, torch_version)
    if v.errors:
        raise LessonFileError(v.errors, _str_or_none(data.get("id")), _str_or_none(data.get("title")))
    return lesson


def _read(path: Path) -> str:
    try:
        return storage.read_text(path)
    except storage.NotText as e:
        raise LessonFileError([f"{path}:{e.line}: (file): {e.what}"]) from None
    except OSError as e:
        raise LessonFileError([f"{path}:1: (file): cannot be read ({e.strerror or e})"]) from None


def _id_of_unreadable(toml_path: Path) -> str | None:
    """The id a lesson file that is not valid TOML (or not text) still states on an ``id = "..."``
    line, so that the lessons requiring it, and the course, report the lesson as broken rather
    than as missing."""
    try:
        text = toml_path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r'^id\s*=\s*"([^"\n]+)"', text, re.MULTILINE)
    return match.group(1) if match else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class _Validator:
    file: Path
    text: str
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _lines: dict | None = None

    def error(self, path: tuple, what: str) -> None:
        if self._lines is None:  # only files with errors pay for locating lines
            self._lines = key_lines(self.text)
        key = _key_name(path, self.data)
        self.errors.append(f"{self.file}:{line_of(self._lines, path)}: {key}: {what}")

    def table(self, data: dict, path: tuple, spec: dict) -> dict:
        """Type-check ``data`` against ``spec``; return only the keys that are well typed."""
        good = {}
        for key in data:
            if path == () and key in MOVED_TO_COURSE:
                self.error((key,), f"`{key}` is no longer a lesson key: the course's course.toml "
                                   f"lists the groups and their lessons in order (see docs/lessons.md)")
            elif key not in spec:
                self.error(path + (key,), f"unknown key (known keys here: {', '.join(spec)})")
        for key, (kind, required) in spec.items():
            if key not in data:
                if required:
                    self.error(path, f"missing required key `{key}`")
            elif _is_type(data[key], kind):
                good[key] = data[key]
            else:
                self.error(path + (key,), f"must be {_TYPE_WORDS[kind]}, got {_describe(data[key])}")
        return good

    def not_empty(self, table: dict, keys: tuple, path: tuple) -> None:
        for key in keys:
            if isinstance(table.get(key), str) and not table[key].strip():
                self.error(path + (key,), "must not be empty")

    def no_bare_letter_keys(self, text: Any, path: tuple) -> None:
        # The learner mostly reads a step with the editor focused, where a letter types itself
        for match in BARE_LETTER_KEY.finditer(text if isinstance(text, str) else ""):
            letter = match.group(1)
            self.error(path, f"`{letter}` is named as a key, but with the editor focused it types "
                             f"{letter!r}: write `alt+n` (next), `alt+h` (hint) and so on: the "
                             "lesson's keys with alt work everywhere")

    def ident(self, value: str, path: tuple) -> None:
        if not ID_PATTERN.match(value):
            self.error(path, f"{value!r} is not a valid id (use lowercase letters, digits, - and _)")

    def ids(self, items: list[dict], path: tuple, what: str) -> list[str]:
        """Check each item's id (format, uniqueness); return the ids given as strings."""
        seen: list[str] = []
        for i, item in enumerate(items):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            self.ident(ident, path + (i, "id"))
            if ident in seen:
                self.error(path + (i, "id"), f"duplicate {what} id {ident!r}")
            seen.append(ident)
        return seen

    def lesson(self, data: dict, folder: Path, torch_version: str | None) -> Lesson | None:
        self.data = data
        top = self.table(data, (), TOP)
        if "id" in top:
            self.ident(top["id"], ("id",))
        self.not_empty(top, ("title", "summary"), ())
        for key in ("objectives", "hints"):
            if key in top and not top[key]:
                self.error((key,), "must not be empty")
            for i, item in enumerate(top.get(key, [])):
                if not item.strip():
                    self.error((key,), f"entry {i + 1} is empty")
        torch_problem = None
        if "torch" in top:
            problem = versions.check_specifier(top["torch"])
            if problem:
                self.error(("torch",), problem)
            elif torch_version is None:
                torch_problem = "torch is not installed"
            elif not versions.satisfies(torch_version, top["torch"]):
                torch_problem = f"needs torch {top['torch']}; torch {torch_version} is installed"
        for required in top.get("requires", []):
            self.ident(required, ("requires",))
        predictions = self.predictions(top.get("predictions", []))
        steps = self.steps(top.get("steps", []), predictions, "myth" in top)
        checks = self.checks(top.get("checks", []))
        myth = self.myth(top["myth"]) if "myth" in top else None
        limits = self.limits(top["limits"]) if "limits" in top else Limits()
        starter = self.source(folder, "starter.py")
        solution = self.source(folder, "solution.py")
        checks = tuple(dataclasses.replace(c, reference=solution)
                       if check_kinds.KINDS[c.kind].reference else c for c in checks)
        overrides = tuple(top.get("overrides", []))
        for name in overrides:
            if name not in OVERRIDABLE:
                self.error(("overrides",), f"{name!r} is not a method checks read "
                                           f"(known: {', '.join(OVERRIDABLE)})")
        equivalent = []
        for i, item in enumerate(top.get("equivalent_mutants", [])):
            m = self.table(item, ("equivalent_mutants", i), EQUIVALENT_MUTANT)
            self.not_empty(m, ("mutant", "why"), ("equivalent_mutants", i))
            equivalent.append((m.get("mutant", ""), m.get("why", "")))
        cheats = tuple((path.name, self.source(folder, f"{CHEATS}/{path.name}"))
                       for path in sorted((folder / CHEATS).glob("*.py")))
        for name, text in cheats:
            kind = cheat_kind(text)
            if kind and kind not in CHEAT_KINDS:
                self.errors.append(f"{folder / CHEATS / name}:1: {CHEATS}/{name}: unknown kind "
                                   f"{kind!r} (known: {', '.join(CHEAT_KINDS)})")
        for name in top.get("files", []):
            target = (folder / name).resolve()
            if not target.is_relative_to(folder.resolve()):
                self.error(("files",), f"{name!r} is outside the lesson folder")
            elif not target.is_file():
                self.error(("files",), f"{name!r} does not exist in {folder}")
        if self.errors:
            return None
        return Lesson(
            id=top["id"], title=top["title"], torch=top["torch"],
            objectives=tuple(top["objectives"]), steps=steps, checks=checks,
            hints=tuple(top["hints"]), starter=starter, solution=solution, path=folder,
            summary=top.get("summary", ""), requires=tuple(top.get("requires", [])),
            predictions=tuple(predictions.values()), myth=myth, limits=limits,
            files=tuple(top.get("files", [])), cheats=cheats, torch_problem=torch_problem,
            overrides=overrides, equivalent_mutants=tuple(equivalent),
        )

    def source(self, folder: Path, name: str) -> str:
        path = folder / name
        if not path.is_file():
            self.error((), f"{name} is missing: every lesson folder needs {name} beside lesson.toml")
            return ""
        try:
            return _read(path)
        except LessonFileError as e:
            self.errors.extend(e.errors)
            return ""

    def predictions(self, items: list[dict]) -> dict[str, Prediction]:
        """Every prediction by id (built leniently: nothing is returned if any error was found)."""
        out: dict[str, Prediction] = {}
        for i, (item, ident) in enumerate(zip(items, self._ids_or_none(items, ("predictions",), "prediction"))):
            path = ("predictions", i)
            p = self.table(item, path, PREDICTION)
            self.not_empty(p, ("question", "observe"), path)
            raw = p.get("choices", [])
            self.ids(raw, path + ("choices",), "choice")
            choices = []
            for j, choice in enumerate(raw):
                c = self.table(choice, path + ("choices", j), CHOICE)
                self.not_empty(c, ("text", "explanation"), path + ("choices", j))
                choices.append(Choice(c.get("id", ""), c.get("text", ""), c.get("explanation", ""),
                                      c.get("correct", False)))
            if "choices" in p:
                if len(raw) < MIN_CHOICES:
                    self.error(path + ("choices",), f"a prediction needs at least {MIN_CHOICES} "
                                                    f"choices (it has {len(raw)}): with two, ruling "
                                                    f"one out gives the answer away")
                marked = sum(1 for c in raw if c.get("correct") is True)
                if marked != 1:
                    self.error(path + ("choices",),
                               f"exactly one choice must have `correct = true`; {marked} do")
            if ident is not None:
                out[ident] = Prediction(ident, p.get("question", ""), tuple(choices), p.get("observe", ""))
        return out

    def _ids_or_none(self, items: list[dict], path: tuple, what: str) -> list[str | None]:
        self.ids(items, path, what)
        return [item.get("id") if isinstance(item.get("id"), str) else None for item in items]

    def steps(self, items: list[dict], predictions: dict[str, Prediction], has_myth: bool) -> tuple:
        if not items and "steps" in self.data:
            self.error(("steps",), "a lesson needs at least one step")
        out, asked, shows_myth = [], {}, False
        for i, (item, ident) in enumerate(zip(items, self._ids_or_none(items, ("steps",), "step"))):
            path = ("steps", i)
            s = self.table(item, path, STEP)
            self.not_empty(s, ("title", "text", "task"), path)
            for key in ("text", "task"):
                self.no_bare_letter_keys(s.get(key), path + (key,))
            pid = s.get("prediction")
            if pid is not None:
                if pid in asked:
                    self.error(path + ("prediction",), f"prediction {pid!r} is already asked at step {asked[pid]!r}")
                elif pid not in predictions:
                    self.error(path + ("prediction",), f"no prediction has id {pid!r}")
                asked[pid] = ident or str(i + 1)
            if s.get("myth"):
                shows_myth = True
                if not has_myth:
                    self.error(path + ("myth",), "this step shows the myth, but the lesson has no [myth] table")
            out.append(Step(ident or "", s.get("title", ""), s.get("text", ""), pid, s.get("task"),
                            s.get("myth", False)))
        for pid in predictions:
            if pid not in asked:
                self.error(("predictions",), f"prediction {pid!r} is not asked at any step "
                                             f"(add `prediction = \"{pid}\"` to a step)")
        if items and not any("task" in item for item in items):
            self.error(("steps",), "no step has a `task`: one step must say what to change in the code")
        if has_myth and not shows_myth:
            self.error(("myth",), "no step shows the myth (add `myth = true` to a step)")
        return tuple(out)

    def checks(self, items: list[dict]) -> tuple[Check, ...]:
        if not items and "checks" in self.data:
            self.error(("checks",), "a lesson needs at least one check (the starter must fail one)")
        self.ids(items, ("checks",), "check")
        out = []
        for i, item in enumerate(items):
            path = ("checks", i)
            kind_name = item.get("kind")
            kind = check_kinds.KINDS.get(kind_name) if isinstance(kind_name, str) else None
            spec = dict(CHECK_COMMON)
            if kind is not None:
                spec.update({k: (key.type, key.required) for k, key in kind.keys.items()})
            else:
                if isinstance(kind_name, str):
                    self.error(path + ("kind",), f"unknown check kind {kind_name!r} "
                                                 f"(known kinds: {', '.join(check_kinds.KINDS)})")
                item = {k: v for k, v in item.items() if k in CHECK_COMMON}
            c = self.table(item, path, spec)
            self.not_empty(c, ("label", "fail"), path)
            if kind is None:
                continue
            for k, key in kind.keys.items():
                if k in c and key.values and c[k] not in key.values:
                    self.error(path + (k,), f"{c[k]!r} is not one of: {', '.join(key.values)}")
            if kind.one_of and not any(k in c for k in kind.one_of):
                self.error(path, f"a {kind.name} check needs at least one of: {', '.join(kind.one_of)}")
            if "model" in c and kind.name in ("output", "outcome", "value"):
                self.error(path + ("model",), f"a {kind.name} check is about the whole run; remove `model`")
            for k in ("expr", "state_dict") if kind.asks else ():
                if isinstance(c.get(k), str):
                    self.expression(c[k], path + (k,))
            if kind.name == "load" and "model" in c:
                self.expression(c["model"], path + ("model",))
            if kind.name == "events" and "of" in c and c["event"] not in OWNED_EVENTS:
                self.error(path + ("of",), f"`of` names whose events count; {c['event']} events "
                                           f"belong to no object (events with an owner: "
                                           f"{', '.join(OWNED_EVENTS)})")
            if kind.name == "differential":
                self.differential(c, path)
            if kind.name == "value" and c.get("equals_solution") and "equals" in c:
                self.error(path + ("equals_solution",), "a value equals either `equals` or the "
                                                        "solution's value, not both")
            if kind.name == "file" and "config" in c:
                self.config(c["config"], path + ("config",))
            options = {k: v for k, v in c.items() if k not in CHECK_COMMON}
            out.append(Check(c.get("id", ""), kind.name, c.get("label", ""), c.get("fail", ""),
                             c.get("model"), options))
        return tuple(out)

    def differential(self, c: dict, path: tuple) -> None:
        if "configs" in c and "class" not in c:
            self.error(path + ("configs",), "configurations build a `class`: name it, or remove "
                                            "`configs` to compare the model the program leaves")
        for k in ("input", "call"):
            if isinstance(c.get(k), str):
                self.expression(c[k], path + (k,))
        for word in c.get("compare", []):
            if word not in check_kinds.COMPARABLE:
                self.error(path + ("compare",), f"{word!r} is not one of: "
                                                f"{', '.join(check_kinds.COMPARABLE)}")
        configs = c.get("configs", [])
        if not isinstance(configs, list) or not all(isinstance(x, dict) for x in configs):
            self.error(path + ("configs",), "must be a list of tables, e.g. "
                                            "[{ kwargs = { hidden = 7 } }, { dtype = \"float64\" }]")
            return
        for i, config in enumerate(configs):
            self.config(config, path + ("configs", i))

    def config(self, config: dict, path: tuple) -> None:
        """One way to build a class: ``args``, ``kwargs``, ``dtype``, ``train``."""
        self.table(config, path, CONFIG)
        if isinstance(config.get("build"), str):
            self.expression(config["build"], path + ("build",))
        dtype = config.get("dtype")
        if isinstance(dtype, str) and dtype.removeprefix("torch.") not in DTYPES:
            self.error(path + ("dtype",), f"{dtype!r} is not one of: {', '.join(DTYPES)}")

    def expression(self, text: str, path: tuple) -> None:
        try:
            compile(text, "<check>", "eval", dont_inherit=True)
        except SyntaxError as e:
            self.error(path, f"{text!r} is not a Python expression: {e.msg}")

    def myth(self, data: dict) -> Myth:
        m = self.table(data, ("myth",), MYTH)
        self.not_empty(m, ("claim", "code", "explanation", "expect"), ("myth",))
        return Myth(m.get("claim", ""), m.get("code", ""), m.get("explanation", ""), m.get("expect"))

    def limits(self, data: dict) -> Limits:
        lim = self.table(data, ("limits",), LIMITS)
        for key in lim:
            if lim[key] <= 0:
                self.error(("limits", key), "must be greater than 0")
        return Limits(lim.get("wall"), lim.get("memory_mb"))


def _cross_check(lessons: list[Lesson], beside: set[str] = frozenset(),
                 parent: Path | None = None) -> tuple[list[Lesson], list[BrokenLesson]]:
    """Ids unique across the folder; ``requires`` names known lessons and has no cycle.

    ``beside``: ids a ``requires`` may name too: of lessons that failed to load, and of the
    lessons next to a lesson folder checked alone (``parent`` holds them).
    """
    broken: dict[str, list[str]] = {}
    by_id: dict[str, Lesson] = {}

    def line(lesson: Lesson, key: str) -> int:
        return line_of(key_lines((lesson.path / LESSON_FILE).read_text(encoding="utf-8")), (key,))

    for lesson in lessons:
        toml = lesson.path / LESSON_FILE
        if lesson.id in by_id:
            first = by_id[lesson.id].path / LESSON_FILE
            broken.setdefault(str(lesson.path), []).append(
                f"{toml}:{line(lesson, 'id')}: id: duplicate lesson id {lesson.id!r} (also used by {first})")
            continue
        by_id[lesson.id] = lesson
    for lesson in by_id.values():
        toml = lesson.path / LESSON_FILE
        for required in lesson.requires:
            if required not in by_id and required not in beside:
                where = f" in {parent}" if parent is not None else ""
                broken.setdefault(str(lesson.path), []).append(
                    f"{toml}:{line(lesson, 'requires')}: requires: no lesson has id {required!r}{where}")
        if _in_cycle(lesson.id, by_id):
            broken.setdefault(str(lesson.path), []).append(
                f"{toml}:{line(lesson, 'requires')}: requires: {lesson.id!r} requires itself through "
                f"a cycle of lessons")
    good = [lesson for lesson in lessons if str(lesson.path) not in broken]
    bad = [BrokenLesson(lesson.path, tuple(broken[str(lesson.path)]), lesson.id, lesson.title)
           for lesson in lessons if str(lesson.path) in broken]
    return good, bad


def _in_cycle(start: str, by_id: dict[str, Lesson]) -> bool:
    stack, seen = list(by_id[start].requires), set()
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        stack.extend(by_id[current].requires)
    return False


def _is_type(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "ints":
        return isinstance(value, list) and all(_is_type(v, "int") for v in value)
    if kind == "table":
        return isinstance(value, dict)
    if kind == "any":
        return True
    if kind == "tables":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise ValueError(kind)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"[:60]


def _key_name(path: tuple, data: Any) -> str:
    """``("checks", 2, "kind")`` -> ``checks[param-count].kind`` (or ``checks[3].kind`` without an id)."""
    out, node = "", data
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) and ident else f"[{part + 1}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            out += f".{part}" if out else part
    return out or "(lesson)"
