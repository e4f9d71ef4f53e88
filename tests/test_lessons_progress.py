"""The progress store: keyed by ids across lesson changes, safe against damage and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from modbox.lessons.progress import LessonProgress, PredictionRecord, ProgressStore


def test_nothing_is_written_by_reading(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    assert store.get("anatomy").status == "new"
    assert store.review_queue() == []
    assert list(tmp_path.iterdir()) == []


def test_default_location_is_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODBOX_HOME", str(tmp_path))
    store = ProgressStore()
    store.update("objects", lambda p: setattr(p, "solved", True))
    assert json.loads((tmp_path / "data" / "progress.json").read_text())["lessons"]["objects"]["solved"]


def test_progress_survives_a_new_store_like_a_restart(tmp_path):
    path = tmp_path / "progress.json"
    ProgressStore(path).update("anatomy", lambda p: (setattr(p, "step", "stack"),
                                                     setattr(p, "draft", "x = 1\n")))
    again = ProgressStore(path).get("anatomy")
    assert (again.step, again.draft, again.status) == ("stack", "x = 1\n", "started")


def test_records_of_lessons_that_no_longer_exist_are_kept(tmp_path):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.update("retired-lesson", lambda p: setattr(p, "solved", True))
    store.update("anatomy", lambda p: setattr(p, "hints_shown", 2))
    assert set(ProgressStore(path).all()) == {"retired-lesson", "anatomy"}
    assert ProgressStore(path).get("retired-lesson").solved


def test_fields_from_a_newer_modbox_are_kept_and_bad_values_replaced(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"format": 1, "lessons": {"anatomy": {
        "step": "stack", "hints_shown": "two", "stars": 5,
        "predictions": {"q-count": {"choice": "fifteen", "confidence": 3, "correct": True},
                        "q-broken": {"choice": 7}},
    }, "odd": "not a record"}}))
    store = ProgressStore(path)
    record = store.get("anatomy")
    assert record.step == "stack" and record.hints_shown == 0
    assert list(record.predictions) == ["q-count"]
    assert store.get("odd").status == "new"
    store.update("anatomy", lambda p: setattr(p, "solved", True))
    assert json.loads(path.read_text())["lessons"]["anatomy"]["stars"] == 5


def test_a_damaged_file_is_kept_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text('{"format": 1, "lessons": {"anatomy": {"solv')  # half written
    store = ProgressStore(path)
    assert store.get("anatomy").status == "new"
    assert store.recovered is not None and store.recovered.read_text().startswith('{"format": 1')
    assert str(store.recovered) in store.problem
    assert "could not be read" in store.problem
    store.update("anatomy", lambda p: setattr(p, "solved", True))
    assert ProgressStore(path).get("anatomy").solved


def test_a_file_that_is_json_but_not_progress_is_also_kept_aside(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("[1, 2, 3]")
    store = ProgressStore(path)
    store.all()
    assert store.recovered.name.startswith("progress.json.corrupt-")
    assert not path.exists() or json.loads(path.read_text())["lessons"] == {}


def test_review_queue_puts_confident_mistakes_first(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")

    def answered(pid, confidence, at, review):
        def change(p: LessonProgress):
            p.predictions[pid] = PredictionRecord("x", confidence, correct=not review,
                                                  review=review, answered_at=at)
        return change

    store.update("anatomy", answered("q-guess", 1, 1.0, True))
    store.update("anatomy", answered("q-sure", 3, 3.0, True))
    store.update("objects", answered("q-fair", 2, 2.0, True))
    store.update("objects", answered("q-right", 3, 0.5, False))
    queue = store.review_queue()
    assert [(i.lesson_id, i.prediction_id) for i in queue] == [
        ("anatomy", "q-sure"), ("objects", "q-fair"), ("anatomy", "q-guess")]
    assert queue[0].confident and not queue[1].confident
    assert [i.prediction_id for i in store.review_queue("objects")] == ["q-fair"]


def test_reset_one_lesson_and_all(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    store.update("a", lambda p: setattr(p, "solved", True))
    store.update("b", lambda p: setattr(p, "solved", True))
    store.reset("a")
    assert set(store.all()) == {"b"}
    store.reset_all()
    assert store.all() == {}


def _hammer(path: str, worker: int, rounds: int) -> None:
    store = ProgressStore(Path(path))
    for i in range(rounds):
        def change(p: LessonProgress, key=f"w{worker}-{i}"):
            p.predictions[key] = PredictionRecord("a", 1)
            p.hints_shown += 1
        store.update("registration", change)


def test_concurrent_writers_on_the_same_lesson_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    workers, rounds = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_hammer, args=(str(path), w, rounds)) for w in range(workers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0
    record = ProgressStore(path).get("registration")
    assert record.hints_shown == workers * rounds
    assert len(record.predictions) == workers * rounds
    leftovers = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    assert leftovers == []
