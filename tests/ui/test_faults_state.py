"""The learner's things survive faults: SIGKILL at any moment, a damaged progress file, an unusable
data folder, a full disk, two modbox windows on one lesson, and files that are not what the app
expects. Real processes where that is cheap; the app itself on a scripted sandbox (no torch)."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from textual.app import App

from modbox.lessons.progress import ProgressStore
from modbox.ui.autosave import load_draft
from modbox.ui.screens.lesson import LessonScreen
from tests.support.player import learn_app, on_top, play
from tests.support.ui import drive, scripted_app, wait_for

MODBOX = [sys.executable, "-m", "modbox"]


_TOLD: dict[int, list[str]] = {}


@pytest.fixture(autouse=True)
def record_notifications(monkeypatch):
    """Every notification an app raised, kept: a notification expires after a few seconds, and a
    busy machine can take longer than that to reach the test's look."""
    _TOLD.clear()
    original = App.notify

    def notify(self, message, *args, **kwargs):
        _TOLD.setdefault(id(self), []).append(str(message))
        return original(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", notify)


def told(app) -> str:
    return "\n".join(_TOLD.get(id(app), []))


def no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# ---------------------------------------------------------------------- SIGKILL at any moment

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from modbox.lessons.progress import ProgressStore
    from modbox.ui.autosave import DraftWriter

    store, drafts = ProgressStore(), DraftWriter(Path(sys.argv[1]))
    print("writing", flush=True)
    i = 0
    while True:
        i += 1
        text = "x = 1\\n" * (i % 500) + f"# version {i}\\n"
        store.update("objects", lambda p: setattr(p, "draft", text))
        drafts.write(text, i)
""")


@pytest.mark.slow
def test_progress_and_drafts_survive_sigkill_at_any_moment(modbox_home, tmp_path):
    """Kill a process that rewrites progress and a draft as fast as it can, at random moments:
    every file left behind is whole (the old version or the new one, never half of one)."""
    target = tmp_path / "model.py"
    env = {**os.environ, "MODBOX_HOME": str(modbox_home)}
    rng = random.Random(0)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()

        store = ProgressStore()
        draft = store.get("objects").draft
        assert store.problem is None, store.problem
        assert draft is not None and draft.endswith("\n") and "# version" in draft
        saved = load_draft(target)
        if saved is not None:  # killed before its first write: nothing, which is fine
            assert saved.text.rstrip().split("\n")[-1].startswith("# version")
    # Temporary files of killed writes may stay, but never in place of the real ones.
    data = modbox_home / "data"
    assert json.loads((data / "progress.json").read_text())["lessons"]["objects"]["draft"]


# ---------------------------------------------------------------------- a damaged progress file

DAMAGED = ['{"format": 1, "lessons": {"objects": {"dra', "\x00\x00\x00", "[]"]


@pytest.mark.slow
def test_a_damaged_progress_file_is_kept_aside_the_learner_told_and_a_fresh_one_started(modbox_home):
    progress = modbox_home / "data" / "progress.json"
    progress.parent.mkdir(parents=True)
    for content in DAMAGED:  # half-written, garbage, valid JSON of the wrong shape
        progress.write_text(content)
        done = subprocess.run([*MODBOX, "lessons"], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "MODBOX_HOME": str(modbox_home)})
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        assert "could not be read" in done.stdout and "fresh one was started" in done.stdout
        assert "A model is an object" in done.stdout
    aside = sorted(progress.parent.glob("progress.json.corrupt-*"))
    assert sorted(a.read_text() for a in aside) == sorted(DAMAGED)  # each kept as it was

    progress.write_text(DAMAGED[0])
    app, _ = learn_app(None, "objects")

    async def scenario(pilot):
        await on_top(pilot, app, LessonScreen)
        assert "could not be read" in told(app)
        await wait_for(pilot, lambda: progress.exists(), what="a fresh progress file")
        assert json.loads(progress.read_text())["last_lesson"] == "objects"

    play(app, scenario)


# ---------------------------------------------------------------------- an unusable data folder

@pytest.mark.slow
def test_a_data_folder_that_cannot_be_used_still_lets_the_learner_work_and_says_so(modbox_home):
    """MODBOX_HOME/data is a file, so nothing can be saved (the same happens on a read-only or
    vanished folder; tests run as root, for whom permissions do not apply)."""
    modbox_home.mkdir(parents=True)
    (modbox_home / "data").write_text("not a folder")
    app, _ = learn_app(None, "objects")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.insert("# my own line\n", (0, 0))
        lesson.flush_draft()
        await pilot.pause()
        assert "Could not save" in told(app)
        assert "Your progress cannot be saved" in told(app)  # said at start, on the menu
        assert lesson.workspace.source.startswith("# my own line\n")  # kept in memory
        assert app.store.get("objects").draft.startswith("# my own line\n")

    play(app, scenario)


def test_modbox_lessons_with_an_unusable_data_folder_lists_the_lessons_and_says_so(modbox_home):
    modbox_home.mkdir(parents=True)
    (modbox_home / "data").write_text("not a folder")
    done = subprocess.run([*MODBOX, "lessons"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "MODBOX_HOME": str(modbox_home)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert f"Your progress cannot be saved in {modbox_home / 'data'} (Not a directory)" in done.stdout
    assert "A model is an object" in done.stdout


@pytest.mark.slow
def test_play_mode_with_an_unusable_data_folder_keeps_the_buffer_and_says_autosave_failed(modbox_home):
    modbox_home.mkdir(parents=True)
    (modbox_home / "data").write_text("not a folder")
    app, _ = scripted_app()

    async def scenario(pilot):
        app.workspace.editor.insert("# typed\n", (0, 0))
        await wait_for(pilot, lambda: "autosave failed" in told(app), what="the autosave error")
        assert app.workspace.source.startswith("# typed\n")

    drive(app, scenario)


# ---------------------------------------------------------------------- a full disk

def test_a_full_disk_shows_the_save_error_and_keeps_the_buffer(modbox_home, tmp_path, monkeypatch):
    model = tmp_path / "model.py"
    model.write_text("import torch\n")
    monkeypatch.setattr("modbox.source_file.atomic_write_text", no_space)
    monkeypatch.setattr("modbox.ui.autosave.atomic_write_text", no_space)
    app, _ = scripted_app(file=model)

    async def scenario(pilot):
        app.workspace.editor.insert("# typed on a full disk\n", (1, 0))
        await wait_for(pilot, lambda: "autosave failed: No space left on device" in told(app),
                       what="the autosave error")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Could not save" in told(app), what="the save error")
        assert "No space left on device" in told(app)
        assert "# typed on a full disk" in app.workspace.source
        assert model.read_text() == "import torch\n"  # the old file is untouched

    drive(app, scenario)


@pytest.mark.slow
def test_a_full_disk_in_a_lesson_says_the_code_is_not_saved_and_keeps_it(modbox_home, monkeypatch):
    monkeypatch.setattr("modbox.storage.atomic_write_text", no_space)
    app, _ = learn_app(None, "objects")

    async def scenario(pilot):
        lesson = await on_top(pilot, app, LessonScreen)
        lesson.workspace.editor.insert("# typed on a full disk\n", (0, 0))
        lesson.flush_draft()
        await pilot.pause()
        assert "Could not save" in told(app) and "No space left on device" in told(app)
        assert lesson.workspace.source.startswith("# typed on a full disk\n")

    play(app, scenario)


# ---------------------------------------------------------------------- two windows, one lesson

TWIN = textwrap.dedent("""
    import sys
    from modbox.lessons.progress import ProgressStore, PredictionRecord

    me, n = sys.argv[1], int(sys.argv[2])
    store = ProgressStore()
    for i in range(n):
        def change(p, i=i):
            p.predictions[f"{me}-{i}"] = PredictionRecord(choice="a", confidence=1)
            p.draft = f"# draft from window {me}, edit {i}\\n"
        store.update("objects", change)
""")


def test_two_windows_on_one_lesson_do_not_lose_each_others_progress(modbox_home):
    env = {**os.environ, "MODBOX_HOME": str(modbox_home)}
    n = 60
    windows = [subprocess.Popen([sys.executable, "-c", TWIN, me, str(n)], env=env) for me in "ab"]
    assert [w.wait(timeout=60) for w in windows] == [0, 0]
    record = ProgressStore().get("objects")
    assert set(record.predictions) == {f"{me}-{i}" for me in "ab" for i in range(n)}
    assert record.draft in {f"# draft from window {me}, edit {n - 1}\n" for me in "ab"}


def test_two_play_windows_on_the_same_file_keep_one_whole_draft(modbox_home, tmp_path):
    from modbox.ui.autosave import DraftWriter

    model = tmp_path / "model.py"
    first, second = DraftWriter(model), DraftWriter(model)
    for i in range(1, 50):
        first.write(f"# first {i}\n", i)
        second.write(f"# second {i}\n", i)
    assert load_draft(model).text == "# second 49\n"
    assert first.last_error == second.last_error == ""


# ---------------------------------------------------------------------- files that are not what we expect

ODD_FILES = {
    "binary": (bytes(range(256)) * 4, "looks like a binary file"),
    "not_utf8": ("x = 'caf\u00e9'\n".encode("latin-1"), "is not UTF-8 text"),
    "crlf": (b"import torch\r\nx = 1\r\n", "Windows line endings"),
    "bom": ("\ufeffimport torch\n".encode("utf-8"), "byte-order mark"),
    "long": (("x = 1\n" * 50_000).encode(), "Live mode is off for a 50,001-line file"),
}


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.slow) if k == "long" else k for k in ODD_FILES])
def test_an_odd_file_opened_in_play_mode_gets_a_clear_message_or_works(modbox_home, tmp_path, kind):
    data, says = ODD_FILES[kind]
    path = tmp_path / f"{kind}.py"
    path.write_bytes(data)
    app, _ = scripted_app(file=path)

    async def scenario(pilot):
        await wait_for(pilot, lambda: says in told(app), what=f"the message {says!r}")
        source = app.workspace.source
        if kind in ("crlf", "bom"):
            assert source.startswith("import torch\n") and "\r" not in source
        if kind == "long":
            assert app.workspace.editor.document.line_count == 50_001

    drive(app, scenario, settle=False)


@pytest.mark.parametrize("kind", ["binary", "not_utf8"])
def test_modbox_inspect_on_an_odd_file_says_what_is_wrong_without_a_traceback(tmp_path, kind):
    data, _ = ODD_FILES[kind]
    path = tmp_path / f"{kind}.py"
    path.write_bytes(data)
    done = subprocess.run([*MODBOX, "inspect", str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MODBOX_HOME": str(tmp_path / "home")})
    out = done.stdout + done.stderr
    assert "Traceback" not in out
    assert done.returncode != 0 and path.name in out


def test_the_file_bar_says_autosaved_only_while_the_newest_text_is_on_disk(modbox_home, tmp_path):
    modbox_home.mkdir(parents=True)
    (modbox_home / "data").write_text("not a folder")
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    app, _ = scripted_app(file=target)

    def bar() -> str:
        return str(app.screen.query_one("#file-bar").render())

    async def scenario(pilot):
        app.workspace.editor.insert("# typed\n", (0, 0))
        await wait_for(pilot, lambda: "not autosaved" in bar(), what="the file bar")
        assert "(autosaved)" not in bar() and "modified" in bar()
        (modbox_home / "data").unlink()  # the folder can be used again: the next autosave lands
        app.workspace.editor.insert("# more\n", (0, 0))
        await wait_for(pilot, lambda: "(autosaved)" in bar(), what="autosaved in the file bar")
        assert "not autosaved" not in bar()

    drive(app, scenario)
