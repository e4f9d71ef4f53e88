"""The files modbox keeps: a file that cannot be read is moved aside only when the trouble is the
file itself, and bytes that are not text are named by their line."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from modbox import storage


def test_a_folder_in_the_files_place_is_moved_aside_with_a_message(tmp_path):
    path = tmp_path / "progress.json"
    path.mkdir()
    with pytest.raises(storage.Unreadable) as info:
        storage.read_kept_file(path)
    assert not path.exists() and info.value.kept.is_dir()
    assert info.value.kept.name.startswith("progress.json.unreadable-")
    assert "It was kept as" in info.value.says("Your progress file", "a fresh one was started")


@pytest.mark.parametrize("code", [errno.EMFILE, errno.EIO, errno.ENOMEM])
def test_a_passing_trouble_leaves_the_file_where_it_is(tmp_path, monkeypatch, code):
    path = tmp_path / "progress.json"
    path.write_text('{"format": 1}')

    def fails(self):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Path, "read_bytes", fails)
    with pytest.raises(OSError) as info:
        storage.read_kept_file(path)
    assert not isinstance(info.value, storage.Unreadable)
    monkeypatch.undo()
    assert path.read_text() == '{"format": 1}' and os.listdir(tmp_path) == ["progress.json"]


def test_bytes_that_are_not_text_are_named_by_their_line(tmp_path):
    path = tmp_path / "lesson.toml"
    path.write_bytes(b'id = "x"\n\ntitle = "caf\xe9"\n')
    with pytest.raises(storage.NotText) as info:
        storage.read_text(path)
    assert info.value.line == 3
    assert str(info.value) == ("line 3: byte 0xe9 is not UTF-8 text: save the file as UTF-8 in a "
                               "text editor")
