"""Small parsers behind the lesson format: torch version specifiers and TOML line numbers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modbox.lessons.toml_lines import key_lines, line_of
from modbox.lessons.versions import check_specifier, satisfies


@pytest.mark.parametrize("installed,spec,expected", [
    ("2.13.0+cpu", ">=2.4", True),
    ("2.13.0", ">=2.4,<3", True),
    ("2.13.0", "<2.13", False),
    ("2.13.0", "<=2.13", True),
    ("2.13.0", "==2.13.*", True),
    ("2.13.1", "==2.13", False),
    ("2.14.0", "!=2.13.*", True),
    ("2.13.0", "~=2.10", True),
    ("3.0.0", "~=2.10", False),
    ("2.14.0rc1", ">=2.14", False),
    ("2.14.0a0+git123", "<2.14", True),
    ("2.4", ">2.4.0", False),
])
def test_torch_specifiers(installed, spec, expected):
    assert check_specifier(spec) is None
    assert satisfies(installed, spec) is expected


@pytest.mark.parametrize("spec,problem", [
    ("2.4", "cannot read '2.4': expected an operator and a version, e.g. \">=2.4\""),
    (">=2.4,", "cannot read '': expected an operator and a version, e.g. \">=2.4\""),
    ("~=2", "'~=2': ~= needs at least two version parts, e.g. \"~=2.4\""),
    (" ", "empty version specifier (use e.g. \">=2.4\")"),
])
def test_bad_specifiers_say_what_is_wrong(spec, problem):
    assert check_specifier(spec) == problem


TOML = '''\
id = "x"                       # line 1
text = \'\'\'
fake = "not a key"
[[not.a.table]]
\'\'\'
items = [
  "a = b",
  { id = "inline" },
]
[[steps]]
id = "one"
[[steps.parts]]
id = "p"
[[steps]]
"quoted.key" = 1
other.dotted = 2
[myth]
claim = "c"               # line 18
'''


def test_key_lines_follow_tables_arrays_and_multiline_values():
    lines = key_lines(TOML)
    assert lines[("id",)] == 1
    assert lines[("text",)] == 2
    assert ("fake",) not in lines and ("not",) not in lines
    assert lines[("items",)] == 6
    assert lines[("steps", 0)] == 10 and lines[("steps", 0, "id")] == 11
    assert lines[("steps", 0, "parts", 0, "id")] == 13
    assert lines[("steps", 1)] == 14
    assert lines[("steps", 1, "quoted.key")] == 15
    assert lines[("steps", 1, "other", "dotted")] == 16
    assert lines[("myth", "claim")] == 18


def test_line_of_falls_back_to_the_closest_known_parent():
    lines = key_lines(TOML)
    assert line_of(lines, ("steps", 1, "missing")) == 14
    assert line_of(lines, ("items", 1, "id")) == 6
    assert line_of(lines, ("nowhere",)) == 1


def test_lessons_never_import_torch_or_textual(tmp_path):
    code = (
        "import sys, modbox.lessons as l\n"
        "from modbox.lessons import cli, verify\n"
        "c = l.load_catalog()\n"
        "s = l.LessonSession(c.lessons[0], l.ProgressStore(sys.argv[1]))\n"
        "from modbox.report import Report\n"
        "s.evaluate(Report(ok=True))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'textual')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "progress.json")],
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
