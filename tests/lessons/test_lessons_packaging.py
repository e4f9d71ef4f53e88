"""The built-in lessons ship inside the wheel, and an installed modbox finds them from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT





@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, timeout=300, cwd=build,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    (found,) = out.glob("modbox-*.whl")
    return found


@pytest.mark.slow
def test_wheel_contains_every_lesson_file_and_no_caches(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("modbox/lessons/builtin/") for n in names
               if n.startswith("modbox/lessons/builtin/")}
    on_disk = {str(p.relative_to(ROOT / "lessons")) for p in (ROOT / "lessons").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert on_disk and shipped == on_disk
    assert not [n for n in names if n.endswith(".pyc")]


@pytest.mark.slow
def test_installed_wheel_finds_its_lessons_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import modbox, modbox.lessons as l; c = l.load_catalog(); "
            "print(modbox.__file__); print(l.builtin_lessons_dir()); "
            "print(len(c.lessons), len(c.broken))")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(target)}, timeout=120, check=True)
    module_file, lessons_dir, counts = out.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert lessons_dir.startswith(str(target))
    expected = len([p for p in (ROOT / "lessons").iterdir() if (p / "lesson.toml").is_file()])
    assert counts == f"{expected} 0"
