"""The progress store: keyed by ids across lesson changes, safe against damage and concurrent writers."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
from pathlib import Path

import pytest

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


@pytest.mark.slow
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


# ---------------------------------------------------------------------- a file or folder that cannot be used

def _refuse(code: int):
    def refuse(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))
    return refuse


def test_a_data_folder_that_is_a_file_is_read_as_empty_and_changes_are_kept_in_memory(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    store = ProgressStore(tmp_path / "data" / "progress.json")
    assert store.all() == {} and store.last_lesson is None  # no traceback
    assert store.problem.startswith(f"Your progress cannot be saved in {tmp_path / 'data'} (")
    assert "will forget it when you quit" in store.problem
    with pytest.raises(OSError):
        store.update("anatomy", lambda p: setattr(p, "draft", "x = 1\n"))
    with pytest.raises(OSError):
        store.set_last_lesson("anatomy")
    with pytest.raises(OSError):
        store.update("anatomy", lambda p: setattr(p, "hints_shown", p.hints_shown + 1))
    record = store.get("anatomy")
    assert (record.draft, record.hints_shown, store.last_lesson) == ("x = 1\n", 1, "anatomy")
    assert (tmp_path / "data").read_text() == "not a folder"


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_a_refused_write_keeps_what_was_on_disk_and_the_change_in_memory(tmp_path, monkeypatch, code):
    path = tmp_path / "progress.json"
    ProgressStore(path).update("anatomy", lambda p: setattr(p, "step", "stack"))
    store = ProgressStore(path)
    monkeypatch.setattr("modbox.storage.atomic_write_text", _refuse(code))
    with pytest.raises(OSError) as refused:
        store.update("anatomy", lambda p: setattr(p, "draft", "mine\n"))
    assert refused.value.errno == code
    record = store.get("anatomy")
    assert (record.step, record.draft) == ("stack", "mine\n")  # the file's record plus the change
    assert os.strerror(code) in store.problem
    assert ("Free some space" in store.problem) == (code == errno.ENOSPC)
    assert json.loads(path.read_text())["lessons"]["anatomy"].get("draft") is None  # file untouched


def test_a_lock_file_that_cannot_be_opened_keeps_the_change_in_memory(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    real_open = open

    def no_lock(file, *args, **kwargs):
        if str(file).endswith(".lock"):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", no_lock)
    with pytest.raises(PermissionError):
        store.update("anatomy", lambda p: setattr(p, "solved", True))
    assert store.get("anatomy").solved and "Permission denied" in store.problem
    assert not path.exists()


def test_changes_kept_in_memory_reach_the_file_once_it_can_be_written_again(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    store, other = ProgressStore(path), ProgressStore(path)
    with monkeypatch.context() as full_disk:
        full_disk.setattr("modbox.storage.atomic_write_text", _refuse(errno.ENOSPC))
        with pytest.raises(OSError):
            store.update("anatomy", lambda p: setattr(p, "draft", "kept\n"))
        with pytest.raises(OSError):
            store.set_last_lesson("anatomy")
    other.update("objects", lambda p: setattr(p, "solved", True))  # another window, meanwhile
    store.update("anatomy", lambda p: setattr(p, "hints_shown", 1))
    assert store.problem is None
    again = ProgressStore(path)
    assert (again.get("anatomy").draft, again.get("anatomy").hints_shown) == ("kept\n", 1)
    assert again.last_lesson == "anatomy" and again.get("objects").solved


def test_a_folder_that_becomes_usable_again_gets_the_changes_made_meanwhile(tmp_path):
    data = tmp_path / "data"
    data.write_text("not a folder")
    store = ProgressStore(data / "progress.json")
    with pytest.raises(OSError):
        store.update("anatomy", lambda p: setattr(p, "draft", "while it was a file\n"))
    data.unlink()
    store.update("anatomy", lambda p: setattr(p, "hints_shown", 2))
    saved = ProgressStore(data / "progress.json").get("anatomy")
    assert (saved.draft, saved.hints_shown) == ("while it was a file\n", 2)
    assert store.problem is None


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b'{"format": 1, "lessons": {"a\xc3": {}}}'])
def test_bytes_that_are_not_text_are_kept_aside_and_a_fresh_file_started(tmp_path, raw):
    path = tmp_path / "progress.json"
    path.write_bytes(raw)
    store = ProgressStore(path)
    assert store.get("anatomy").status == "new"
    assert store.recovered.read_bytes() == raw
    assert "bytes that are not text" in store.problem and str(store.recovered) in store.problem
    store.update("anatomy", lambda p: setattr(p, "solved", True))
    assert ProgressStore(path).get("anatomy").solved


def test_a_file_from_a_newer_modbox_is_named_so_and_kept_untouched(tmp_path):
    path = tmp_path / "progress.json"
    newer = json.dumps({"format": 99, "lessons": {"anatomy": {"solved": True}}, "stars": {}})
    path.write_text(newer)
    store = ProgressStore(path)
    assert store.get("anatomy").status == "new"
    assert "made by a newer modbox (format 99" in store.problem
    assert "could not be read" not in store.problem
    assert store.recovered.name.startswith("progress.json.newer-")
    assert store.recovered.read_text() == newer
    store.update("anatomy", lambda p: setattr(p, "hints_shown", 1))
    assert store.recovered.read_text() == newer


@pytest.mark.parametrize("make", ["folder", "link to itself"])
def test_a_progress_file_that_cannot_be_read_is_kept_aside_and_a_fresh_one_started(tmp_path, make):
    path = tmp_path / "progress.json"
    if make == "folder":
        path.mkdir()
        (path / "notes.txt").write_text("mine\n")
    else:
        path.symlink_to(path.name)
    store = ProgressStore(path)
    assert store.get("anatomy").status == "new"
    assert store.recovered.name.startswith("progress.json.unreadable-")
    assert "Your progress file could not be read" in store.problem
    assert str(store.recovered) in store.problem and "put it back as progress.json" in store.problem
    if make == "folder":
        assert (store.recovered / "notes.txt").read_text() == "mine\n"
    store.update("anatomy", lambda p: setattr(p, "solved", True))
    assert ProgressStore(path).get("anatomy").solved
