"""Files modbox reads at launch that are garbled or cannot be read, in a real terminal: modbox
starts, says what happened and what to try, and keeps the bad file (aside, when it is one modbox
writes; where it is, when it is the learner's own keymap). And a data folder that cannot be
written: the file bar never claims the text was autosaved.

Tests run as root here, whom file permissions do not stop: a file that cannot be read is a folder
where the file should be, or a link that leads to itself (what a chmod 000 file is to anyone else).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modbox.ui.autosave import draft_path
from tests.support.e2e import Terminal, has_words_of, kill_leftovers, needs_tmux

pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

GARBLED = b'{"format": 1, "lessons": {"\xff\xfe": {}}, "text": "\xff broken"}'


def garbled(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(GARBLED)


def a_folder(path: Path) -> None:
    """A folder where the file should be, with something in it that must not be lost."""
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("mine\n")


def a_link_to_itself(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.name)


def kept(path: Path, kind: str) -> Path:
    """The file modbox put aside for ``path`` (``<name>.<kind>-<time>``)."""
    (aside,) = path.parent.glob(f"{path.name}.{kind}-*")
    return aside


def same_as_made(path: Path, make, name: str) -> bool:
    """Whether ``path`` is what ``make`` made under the name ``name``."""
    if make is garbled:
        return path.read_bytes() == GARBLED
    if make is a_folder:
        return (path / "notes.txt").read_text() == "mine\n"
    return path.is_symlink() and os.readlink(path) == name


# (what, where it is under the home folder or None for the draft of model.py, how it is made
# bad, the command, what modbox says, what it did with it: put aside as "corrupt" or
# "unreadable", or None: left as it was)
CASES = [
    ("progress, not text", "data/progress.json", garbled, "modbox",
     "Your progress file could not be read (it holds bytes that are not text). It was kept as",
     "corrupt"),
    ("progress, a folder", "data/progress.json", a_folder, "modbox",
     "Your progress file could not be read (Is a directory). It was kept as", "unreadable"),
    ("draft, not text", None, garbled, "modbox play model.py",
     "The unsaved text kept for model.py could not be read (bytes that are not text). It was "
     "kept as", "corrupt"),
    ("draft, a folder", None, a_folder, "modbox play model.py",
     "The unsaved text kept for model.py could not be read (Is a directory). It was kept as",
     "unreadable"),
    ("settings, a link to itself", "config/settings.json", a_link_to_itself, "modbox play model.py",
     "Your settings file could not be read (Too many levels of symbolic links). It was kept as",
     "unreadable"),
    ("keymap, not text", "config/keymap.toml", garbled, "modbox play model.py",
     "is not UTF-8 text: save the file as UTF-8 in a text editor", None),
    ("keymap, a folder", "config/keymap.toml", a_folder, "modbox play model.py",
     "was ignored: it could not be read (Is a directory). It should be a text file you can read",
     None),
]


@pytest.mark.parametrize("where, make, command, says, aside", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_file_at_launch_is_named_kept_and_modbox_starts(tmp_path, monkeypatch, where, make,
                                                              command, says, aside):
    home = tmp_path / "home"
    model = tmp_path / "model.py"
    model.write_text("x = 1\n")
    monkeypatch.setenv("MODBOX_HOME", str(home))  # where draft_path looks
    path = home / where if where else draft_path(model)
    make(path)
    app_pid = None
    with Terminal(home, tmp_path) as term:
        try:
            term.run(command)
            app_pid = term.wait_for_app()
            term.wait_until(lambda: has_words_of(term.screen(), says), f"the note {says!r}")
            screen = term.screen()
            assert "Traceback" not in screen
            assert ("modbox lessons" if command == "modbox" else "x = 1") in screen  # it started
            if aside:
                assert same_as_made(kept(path, aside), make, path.name), "not kept as it was"
            else:
                assert same_as_made(path, make, path.name), "the learner's own file was changed"
            term.press("C-q")
            term.wait_until(lambda: not term.app_pids(), "modbox quit")
        finally:
            kill_leftovers(term, app_pid)


def test_a_data_folder_that_cannot_be_written_never_shows_autosaved(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("a file where the data folder should be\n")
    (tmp_path / "model.py").write_text("x = 1\n")
    app_pid = None
    seen = []
    with Terminal(home, tmp_path) as term:
        try:
            term.run("modbox play model.py")
            app_pid = term.wait_for_app()
            term.wait_for("model.py", "^g Go to line")
            term.type("# typed\r")

            def bar() -> str:
                screen = term.screen()
                seen.append(screen.splitlines()[0])  # the file bar
                return "not autosaved" in seen[-1] and screen

            screen = term.wait_until(bar, "the file bar saying the text is not autosaved")
            assert "modified" in screen.splitlines()[0]
            assert not [line for line in seen if "(autosaved)" in line], seen
        finally:
            kill_leftovers(term, app_pid)
