"""``modbox progress --json``: a learner's lessons, answers and confidence, for a teacher.

The format (``"format": "modbox-progress"``, ``"version": 1``) is documented in
docs/classroom.md; a field is only ever added to it, and a change to the meaning of one raises
``version``. Lessons come in course order, then records of lessons this modbox does not have
(``"known": false``: a teacher's folder that is not loaded now), so nothing saved is left out.
Times are UTC, ISO 8601. The learner's code is not included.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from modbox import __version__
from modbox.lessons.model import Catalog, Lesson
from modbox.lessons.progress import HIGH_CONFIDENCE, LessonProgress, ProgressStore

FORMAT = "modbox-progress"
VERSION = 1


def _time(stamp: float) -> str | None:
    if not stamp:
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def _learner() -> str:
    """Who this is: the JupyterHub user where there is one (each learner's server has it)."""
    try:
        return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
    except (KeyError, OSError):  # a uid with no name, as in some containers
        return str(os.getuid())


def lesson_record(lesson_id: str, lesson: Lesson | None, record: LessonProgress) -> dict:
    order = [p.id for p in lesson.predictions] if lesson else []
    predictions = sorted(record.predictions.items(),
                         key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    return {
        "id": lesson_id,
        "known": lesson is not None,
        "title": lesson.title if lesson else None,
        "order": lesson.order if lesson else None,
        "status": record.status,
        "step": record.step,
        "steps": len(lesson.steps) if lesson else None,
        "hints_shown": record.hints_shown,
        "solution_viewed": record.solution_viewed,
        "updated_at": _time(record.updated),
        "predictions": [
            {
                "id": pid,
                "choice": answer.choice,
                "confidence": answer.confidence,
                "correct": answer.correct,
                "answer": answer.answer,
                "in_review": answer.review,
                "answered_at": _time(answer.answered_at),
            }
            for pid, answer in predictions
        ],
    }


def export(catalog: Catalog, store: ProgressStore, now: float | None = None) -> dict:
    saved = store.all()
    lessons = [lesson_record(lesson.id, lesson, saved.get(lesson.id, LessonProgress()))
               for lesson in catalog.lessons]
    known = {lesson.id for lesson in catalog.lessons}
    lessons += [lesson_record(lid, None, record) for lid, record in sorted(saved.items())
                if lid not in known]
    answers = [p for lesson in lessons for p in lesson["predictions"]]
    return {
        "format": FORMAT,
        "version": VERSION,
        "modbox": __version__,
        "learner": _learner(),
        "exported_at": _time(now if now is not None else datetime.now(timezone.utc).timestamp()),
        "summary": {
            "lessons": len(catalog.lessons),
            "solved": sum(lesson["status"] == "solved" for lesson in lessons if lesson["known"]),
            "started": sum(lesson["status"] == "started" for lesson in lessons if lesson["known"]),
            "predictions_answered": len(answers),
            "predictions_right": sum(p["correct"] is True for p in answers),
            "confident_mistakes": sum(p["correct"] is False and p["confidence"] >= HIGH_CONFIDENCE
                                      for p in answers),
        },
        "lessons": lessons,
    }


def main(args) -> int:
    """``modbox progress [--json] [--lessons DIR]``."""
    from modbox.lessons.cli import show_list
    from modbox.lessons.loader import load_catalog, missing_folder

    folder = getattr(args, "lessons", None)
    problem = missing_folder(folder)
    if problem:
        print(f"modbox progress: {problem}", file=sys.stderr)
        return 2
    catalog = load_catalog(Path(folder).expanduser() if folder else None)
    store = ProgressStore()
    if not args.json:
        return show_list(catalog, store)
    data = export(catalog, store)
    if store.problem:
        print(f"modbox progress: {store.problem}", file=sys.stderr)
    print(json.dumps(data, indent=1, ensure_ascii=False))
    return 0
