"""The learner's progress: one JSON file in the data folder, keyed by lesson id.

Every change is a small function applied under a lock to what is on disk *now*: the store
re-reads the file, applies the change to one lesson's record and writes it back atomically.
So two modbox processes never undo each other's work (each change lands; for the same field,
the later one wins), and a crash leaves the old file or the new one, never half of one.

Records are keyed by lesson id and, inside, by step and prediction ids. Lessons that no longer
exist keep their records untouched (a teacher's folder may come back), and ids the current
lesson does not know are ignored by the session rather than trusted. A file that cannot be read
is renamed aside (``progress.json.corrupt-<time>``, ``.unreadable-<time>`` when it cannot even be
opened, or ``.newer-<time>`` when a newer modbox wrote it), ``problem`` says so, and a fresh one
starts.

A file or folder that cannot be used at all (the data folder is read-only, missing and not
creatable, a file, or on a full disk) does not stop modbox: reads fall back to what the store last
saw, every change is kept in memory (and the OSError still raised, so the caller can say the change
was not saved), and ``problem`` says what that means. The changes kept in memory are replayed onto
the file as it is then at the next write that gets through, so nothing is lost if the folder
becomes usable again, and another window's changes made meanwhile are kept too.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable

from modbox import storage

FORMAT = 1
HIGH_CONFIDENCE = 3  # confidence is 1 (guessing), 2 (fairly sure) or 3 (certain)

@dataclass
class PredictionRecord:
    choice: str  # the learner's choice id
    confidence: int  # 1..3
    correct: bool | None = None  # None until the observe run revealed the answer
    answer: str | None = None  # the choice id the observe run showed to be true
    review: bool = False  # still in the review queue (answered wrong, not yet re-answered right)
    answered_at: float = 0.0


@dataclass
class LessonProgress:
    step: str | None = None  # id of the current step
    draft: str | None = None  # the learner's code; None means the starter
    predictions: dict[str, PredictionRecord] = field(default_factory=dict)
    hints_shown: int = 0
    solved: bool = False
    solution_viewed: bool = False
    updated: float = 0.0
    extra: dict = field(default_factory=dict)  # keys written by a newer modbox, kept as they are

    @property
    def status(self) -> str:
        """``"solved"``, ``"started"`` or ``"new"``."""
        if self.solved:
            return "solved"
        started = self.step or self.draft is not None or self.predictions or self.hints_shown
        return "started" if started else "new"

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        data["predictions"] = {k: asdict(v) for k, v in self.predictions.items()}
        return {**self.extra, **data}

    @classmethod
    def from_dict(cls, data: dict) -> LessonProgress:
        """Build a record, replacing values of the wrong type by defaults instead of failing."""
        if not isinstance(data, dict):
            data = {}
        known = {f.name for f in fields(cls)}
        record = cls(extra={k: v for k, v in data.items() if k not in known})
        for key, kind in (("step", str), ("draft", str), ("hints_shown", int), ("solved", bool),
                          ("solution_viewed", bool), ("updated", (int, float))):
            value = data.get(key)
            if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
                setattr(record, key, value)
        predictions = data.get("predictions")
        for pid, raw in (predictions if isinstance(predictions, dict) else {}).items():
            if not isinstance(raw, dict):
                continue
            rec = PredictionRecord(choice=raw.get("choice"), confidence=raw.get("confidence"))
            if not isinstance(rec.choice, str) or type(rec.confidence) is not int:
                continue
            for key, kind in (("correct", bool), ("answer", str), ("review", bool),
                              ("answered_at", (int, float))):
                if isinstance(raw.get(key), kind):
                    setattr(rec, key, raw[key])
            record.predictions[pid] = rec
        return record


@dataclass(frozen=True)
class ReviewItem:
    """A prediction answered wrong, to ask again; ``confident`` when it was answered with 3/3."""

    lesson_id: str
    prediction_id: str
    choice: str
    confidence: int
    answered_at: float

    @property
    def confident(self) -> bool:
        return self.confidence >= HIGH_CONFIDENCE


class ProgressStore:
    """Progress of every lesson, in ``path`` (default: ``progress.json`` in the data folder)."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else storage.data_dir() / "progress.json"
        self.problem: str | None = None  # set when a damaged file was put aside or the file is unusable
        self.recovered: Path | None = None  # where it was put
        self._memory: dict = _empty()  # what the file held when last used, plus the unsaved changes
        self._unsaved: list[Callable[[dict], bool]] = []  # changes the file does not have yet
        self._unusable: str | None = None  # the problem set because the file could not be used

    # -- reading

    def get(self, lesson_id: str) -> LessonProgress:
        return LessonProgress.from_dict(self._snapshot()["lessons"].get(lesson_id, {}))

    def all(self) -> dict[str, LessonProgress]:
        return {k: LessonProgress.from_dict(v) for k, v in self._snapshot()["lessons"].items()}

    @property
    def last_lesson(self) -> str | None:
        """The lesson the learner opened last, to resume there."""
        value = self._snapshot().get("last_lesson")
        return value if isinstance(value, str) else None

    def review_queue(self, lesson_id: str | None = None) -> list[ReviewItem]:
        """Predictions answered wrong and not yet re-answered right; confident mistakes first."""
        items = [
            ReviewItem(lid, pid, rec.choice, rec.confidence, rec.answered_at)
            for lid, progress in self.all().items() if lesson_id in (None, lid)
            for pid, rec in progress.predictions.items() if rec.review
        ]
        return sorted(items, key=lambda item: (-item.confidence, item.answered_at))

    # -- writing: each raises OSError when the change is kept in memory only

    def update(self, lesson_id: str, change: Callable[[LessonProgress], None]) -> LessonProgress:
        """Apply ``change`` to the lesson's record as it is on disk now, and save it."""
        applied: list[LessonProgress] = []

        def apply(data: dict) -> bool:
            record = LessonProgress.from_dict(data["lessons"].get(lesson_id, {}))
            change(record)
            record.updated = time.time()
            data["lessons"][lesson_id] = record.to_dict()
            applied.append(record)
            return True

        self._change(apply)
        return applied[-1]

    def set_last_lesson(self, lesson_id: str) -> None:
        def apply(data: dict) -> bool:
            if data.get("last_lesson") == lesson_id:
                return False
            data["last_lesson"] = lesson_id
            return True

        self._change(apply)

    def reset(self, lesson_id: str) -> None:
        """Forget one lesson: its step, draft, answers, hints and solved state."""
        self._change(lambda data: data["lessons"].pop(lesson_id, None) is not None)

    def reset_all(self) -> None:
        def apply(data: dict) -> bool:
            data.clear()
            data.update(_empty())
            return True

        self._change(apply)

    # -- the file

    def _change(self, apply: Callable[[dict], bool]) -> None:
        """Apply the unsaved changes and then ``apply`` (True when it changed something) to the
        file as it is now, under the lock, and write it. When the file cannot be used, apply it to
        the copy in memory instead, keep it for the next write, and raise the OSError."""
        self._unsaved.append(apply)
        data = None
        try:
            with self._locked():
                data = self._read()
                changed = [step(data) for step in self._unsaved]  # every one, in order
                if any(changed):
                    self._write(data)
        except OSError as exc:
            if data is None:  # not even read: the change goes onto what the store last saw
                apply(self._memory)
            else:
                self._memory = data
            self._cannot_use(exc)
            raise
        self._unsaved.clear()
        self._memory = data
        self._usable_again()

    def _snapshot(self) -> dict:
        """What the learner's progress is now: the file, or the copy in memory if the file is
        missing changes or cannot be read."""
        if not self._unsaved:
            try:
                self._memory = self._load()
                self._usable_again()
            except OSError as exc:
                self._cannot_use(exc)
        return copy.deepcopy(self._memory)

    def _load(self) -> dict:
        """The file as it is now. Writes are atomic replaces, so only a damaged file needs the lock."""
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
            if _usable(data):
                return data
        except FileNotFoundError:
            return _empty()  # reading creates nothing
        except ValueError:  # bytes that are not UTF-8 (UnicodeDecodeError) too
            pass
        except OSError:
            if not os.path.lexists(self.path):
                raise  # the folder cannot be used: there is no file to put aside
        with self._locked():
            return self._read()

    def _cannot_use(self, exc: OSError) -> None:
        advice = ("Free some space on that disk." if exc.errno == errno.ENOSPC
                  else "Check that it is a folder you can write to.")
        self.problem = self._unusable = (
            f"Your progress cannot be saved in {self.path.parent} ({exc.strerror or exc}): modbox "
            f"works, but will forget it when you quit. {advice}")

    def _usable_again(self) -> None:
        if self._unusable is not None and self.problem == self._unusable:
            self.problem = None
        self._unusable = None

    def _locked(self):
        return storage.locked(self.path)

    def _read(self) -> dict:
        try:
            raw = storage.read_kept_file(self.path)
        except storage.Unreadable as exc:
            self.recovered = exc.kept
            self.problem = exc.says("Your progress file", "a fresh one was started")
            return _empty()
        if raw is None:
            return _empty()
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            data, why = None, "it holds bytes that are not text"
        except ValueError as e:
            data, why = None, str(e)
        else:
            why = "not a modbox progress file"
        if _newer(data):
            self.recovered = storage.put_aside(self.path, "newer")
            self.problem = (
                f"Your progress file was made by a newer modbox (format {data['format']}; this one "
                f"reads format {FORMAT}). It was kept as {self.recovered}, untouched, for that "
                "modbox, and a fresh one was started here: update modbox to carry on from it.")
            return _empty()
        if _usable(data):
            return data
        self.recovered = storage.put_aside(self.path, "corrupt")
        self.problem = (f"Your progress file could not be read ({why[:80]}). It was kept as "
                        f"{self.recovered} and a fresh one was started.")
        return _empty()

    def _write(self, data: dict) -> None:
        data["format"] = FORMAT
        storage.atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True))


def _newer(data) -> bool:
    return (isinstance(data, dict) and type(data.get("format")) is int
            and data["format"] > FORMAT)


def _usable(data) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("lessons"), dict)
            and not _newer(data))


def _empty() -> dict:
    return {"format": FORMAT, "lessons": {}}
