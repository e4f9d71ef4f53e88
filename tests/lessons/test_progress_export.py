"""``modbox progress --json``: what a teacher collects, in the format docs/classroom.md documents."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import PredictionRecord, ProgressStore
from modbox.lessons.session import LessonSession

DOC = Path(__file__).resolve().parents[2] / "docs" / "classroom.md"


def _export(home: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "modbox", "progress", "--json", *args],
                          capture_output=True, text=True, timeout=120,
                          env={"MODBOX_HOME": str(home), "PATH": "/usr/bin:/bin",
                               "JUPYTERHUB_USER": "ada"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_export_has_every_lesson_in_order_with_answers_and_confidence(tmp_path):
    home = tmp_path / "home"
    catalog = load_catalog(None)
    first, second = catalog.lessons[0], catalog.lessons[1]
    store = ProgressStore(home / "data" / "progress.json")
    session = LessonSession(first, store)
    wrong = next(c for c in first.predictions[0].choices if not c.correct)
    session.answer(first.predictions[0].id, wrong.id, 3)
    store.update(first.id, lambda p: p.predictions[first.predictions[0].id].__setattr__("correct", False))
    session.next()
    session.next_hint()
    store.update(second.id, lambda p: setattr(p, "solved", True))
    store.update("a-teachers-lesson", lambda p: p.predictions.setdefault(
        "q", PredictionRecord("b", 2, correct=True)))

    data = _export(home)
    assert (data["format"], data["version"], data["learner"]) == ("modbox-progress", 1, "ada")
    ids = [lesson["id"] for lesson in data["lessons"]]
    assert ids == [lesson.id for lesson in catalog.lessons] + ["a-teachers-lesson"]
    one = data["lessons"][0]
    assert (one["status"], one["step"], one["hints_shown"]) == ("started", first.steps[1].id, 1)
    answer = one["predictions"][0]
    assert (answer["id"], answer["choice"], answer["confidence"], answer["correct"]) == \
        (first.predictions[0].id, wrong.id, 3, False)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", answer["answered_at"])
    assert data["lessons"][1]["status"] == "solved"
    assert data["lessons"][-1]["known"] is False and data["lessons"][-1]["title"] is None
    assert data["summary"] == {"lessons": len(catalog.lessons), "solved": 1, "started": 1,
                               "predictions_answered": 2, "predictions_right": 1,
                               "confident_mistakes": 1}
    assert "draft" not in json.dumps(data)  # the learner's code stays with the learner


def test_a_new_learner_exports_every_lesson_as_new(tmp_path):
    data = _export(tmp_path / "home")
    assert all(lesson["status"] == "new" and lesson["predictions"] == []
               for lesson in data["lessons"])
    assert not (tmp_path / "home" / "data" / "progress.json").exists()  # reading writes nothing


def test_every_field_of_the_export_is_documented(tmp_path):
    """docs/classroom.md names each key (as `key`) in its format section, so that the document
    and the export cannot drift apart."""
    home = tmp_path / "home"
    lesson = load_catalog(None).lessons[0]
    LessonSession(lesson, ProgressStore(home / "data" / "progress.json")).answer(
        lesson.predictions[0].id, lesson.predictions[0].choices[0].id, 2)
    data = _export(home)
    keys = set(data) | set(data["summary"]) | set(data["lessons"][0]) | \
        set(data["lessons"][0]["predictions"][0])
    section = DOC.read_text().split("## The progress export", 1)[1].split("\n## ", 1)[0]
    missing = sorted(k for k in keys if f"`{k}`" not in section)
    assert missing == []
