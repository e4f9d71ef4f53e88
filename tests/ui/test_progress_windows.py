"""Two modbox windows (two terminals, two browser tabs) on one learner's progress: each answers
predictions and saves drafts through the same calls the lesson screen makes, at the same time,
in processes of their own. Every answer of both lands, every draft is one a window wrote last,
and the file is whole at every moment. Two windows on one file in play mode: a save in one never
removes the other's newer unsaved text, and a window that starts does not offer the text of one
still running as lost."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession
from modbox.ui.autosave import DraftWriter, load_draft

ROUNDS = 3


def _plan() -> list[tuple[str, str, str, int]]:
    """Every prediction of the built-in course: (lesson, prediction, a choice, confidence)."""
    plan = []
    for lesson in load_catalog(None).lessons:
        for n, prediction in enumerate(lesson.predictions):
            plan.append((lesson.id, prediction.id, prediction.choices[n % len(prediction.choices)].id,
                         1 + n % 3))
    return plan


def _window(path: str, window: int, start) -> None:
    """One window: answers every other prediction (the other window answers the rest, in the same
    lessons) and saves a draft of every lesson it touches after each answer."""
    catalog = {lesson.id: lesson for lesson in load_catalog(None).lessons}
    store = ProgressStore(Path(path))
    start.wait()
    for round_ in range(ROUNDS):
        for n, (lesson_id, prediction_id, choice, confidence) in enumerate(_plan()):
            if n % 2 != window:
                continue
            session = LessonSession(catalog[lesson_id], store)
            session.answer(prediction_id, choice, confidence)
            session.draft = f"# window {window}, round {round_}, after {prediction_id}\n"


def _read_while_writing(path: Path, stop: threading.Event, torn: list[str]) -> None:
    """A third reader, as the lesson menu is: it must never see half a file."""
    while not stop.is_set():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data.get("lessons"), dict):
                torn.append(repr(data)[:200])
        except FileNotFoundError:
            continue
        except ValueError as exc:
            torn.append(str(exc))


def test_two_windows_answering_and_saving_drafts_at_once_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    windows = [context.Process(target=_window, args=(str(path), w, start)) for w in (0, 1)]
    for window in windows:
        window.start()
    stop, torn = threading.Event(), []
    reader = threading.Thread(target=_read_while_writing, args=(path, stop, torn))
    reader.start()
    start.set()
    for window in windows:
        window.join(timeout=300)
        assert window.exitcode == 0
    stop.set()
    reader.join()
    assert torn == []

    saved = ProgressStore(path).all()
    plan = _plan()
    assert len(plan) > 20  # enough lessons with predictions for the two windows to collide
    for lesson_id, prediction_id, choice, confidence in plan:
        record = saved[lesson_id].predictions[prediction_id]
        assert (record.choice, record.confidence) == (choice, confidence), (lesson_id, prediction_id)
    finals = {f"# window {w}, round {ROUNDS - 1}, after {pid}\n"
              for n, (_, pid, _, _) in enumerate(plan) for w in (0, 1) if n % 2 == w}
    for lesson_id in {lid for lid, *_ in plan}:
        assert saved[lesson_id].draft in finals  # the last draft one of the windows saved, whole
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


OTHER_WINDOW = textwrap.dedent("""
    import sys
    from pathlib import Path
    from modbox.ui.autosave import DraftWriter

    DraftWriter(Path(sys.argv[1])).write("# typed in the other window\\n", 1)
    print("written", flush=True)
    sys.stdin.read()  # the window stays open until the test closes it
""")


def test_a_save_in_one_play_window_keeps_the_other_windows_newer_draft(modbox_home, tmp_path):
    model = tmp_path / "model.py"
    mine = DraftWriter(model)
    mine.write("# typed here\n", 1)
    other = subprocess.Popen([sys.executable, "-c", OTHER_WINDOW, str(model)], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env={**os.environ, "MODBOX_HOME": str(modbox_home)})
    try:
        assert other.stdout.readline() == "written\n"
        # This window saves its file, which ends its draft: the other window's stays.
        mine.discard()
        assert mine.last_error == ""
        # The other window is still running: its text is not lost, so nothing is offered.
        assert load_draft(model) is None
    finally:
        other.send_signal(signal.SIGKILL)
        other.wait()
        other.stdout.close()
        other.stdin.close()
    # Killed before it saved: now its text is offered back, and can be discarded.
    assert load_draft(model).text == "# typed in the other window\n"
    mine.discard()
    assert load_draft(model) is None
