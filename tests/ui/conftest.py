"""Every UI test runs with a private MODBOX_HOME in its own folder, also the current one, so no
test reads or writes the real home folder's progress, drafts or config."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def modbox_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MODBOX_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home
