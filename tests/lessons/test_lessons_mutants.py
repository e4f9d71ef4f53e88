"""Mutants of a solution: derived by kind, named by what they change, and scored by
``modbox lessons check --mutants`` on the real sandbox (a survivor is listed with its diff)."""

from __future__ import annotations

import textwrap

import pytest

from modbox.lessons import cli, load_catalog
from modbox.lessons.mutants import mutants, sample

SOURCE = '''\
"""A docstring stays."""
import torch
from torch import nn

DOUBLE = True


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        return self.fc(x)


model = Net()
if DOUBLE is not False:
    model.double()
print("done", round(1.5, 1))  # printing is left alone
'''


def by_name(source: str = SOURCE) -> dict:
    return {m.name: m for m in mutants(source)}


def test_each_kind_of_mutant_is_derived_and_named_by_what_it_changes():
    found = by_name()
    assert set(found) == {
        "drop `super().__init__()`",
        "drop `self.fc = nn.Linear(2, 3)`",
        "swap `super().__init__()` and `self.fc = nn.Linear(2, 3)`",
        "drop `def __init__(self):`",
        "drop `def forward(self, x):`",
        "drop `return self.fc(x)`",
        "drop `DOUBLE = True`",
        "drop `model = Net()`",
        "drop `if DOUBLE is not False:`",
        "drop `model.double()`",
        "swap `model = Net()` and `if DOUBLE is not False:`",
        "flip `True` to `False`",
        "flip `False` to `True`",
        "flip `DOUBLE is not False` to `DOUBLE is False`",
        "change 2 to 3 in `self.fc = nn.Linear(2, 3)`",
        "change 3 to 4 in `self.fc = nn.Linear(2, 3)`",
    }
    assert {m.kind for m in found.values()} == {"drop", "swap", "flip", "number"}


def test_a_mutant_changes_one_place_and_shows_it_as_a_diff():
    found = by_name()
    drop = found["drop `model.double()`"]
    assert drop.source == SOURCE.replace("    model.double()\n", "    pass\n")
    assert drop.line == 19
    assert drop.diff.splitlines() == ["@@ -19 +19 @@", "-    model.double()", "+    pass"]
    number = found["change 3 to 4 in `self.fc = nn.Linear(2, 3)`"]
    assert number.source == SOURCE.replace("nn.Linear(2, 3)", "nn.Linear(2, 4)")
    swap = found["swap `super().__init__()` and `self.fc = nn.Linear(2, 3)`"]
    assert "        self.fc = nn.Linear(2, 3)\n        super().__init__()\n" in swap.source
    for mutant in found.values():
        compile(mutant.source, "solution.py", "exec")
        assert mutant.source != SOURCE


def test_names_stay_unique_and_sampling_keeps_every_kind():
    repeated = "import torch\nx = torch.zeros(2)\nx = torch.zeros(2)\ny = x + 1\nok = x is not None\n"
    names = [m.name for m in mutants(repeated)]
    assert len(names) == len(set(names))
    assert "drop `x = torch.zeros(2)` (#2)" in names
    found = mutants(SOURCE)
    chosen = sample(found, 6)
    assert len(chosen) == 6 and {m.kind for m in chosen} == {"drop", "swap", "flip", "number"}
    assert chosen == sample(found, 6)  # the same ones every time
    assert sample(found, None) == found


LESSON = """\
id = "mutated"
title = "Mutated"
torch = ">=2.0"
objectives = ["Build a layer."]
hints = ["Build it."]

[[steps]]
id = "task"
title = "Task"
text = "Build the layer."
task = "Build `model`."

[[checks]]
id = "layer"
kind = "modules"
has = ["fc"]
label = "`fc` is registered"
fail = "{actual}"
"""

SOLUTION = textwrap.dedent("""\
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)

    model = Net()
    """)


@pytest.mark.slow
def test_lessons_check_lists_each_survivor_with_its_diff_until_it_is_explained(tmp_path, capsys):
    folder = tmp_path / "mutated"
    folder.mkdir()
    (folder / "lesson.toml").write_text(LESSON)
    (folder / "solution.py").write_text(SOLUTION)
    (folder / "starter.py").write_text(SOLUTION.replace("self.fc =", "fc ="))
    assert cli.check(load_catalog(folder), mutants="") == 1
    out = capsys.readouterr().out
    # the sizes are never checked: both size mutants survive; dropping a line is killed
    assert "✗ mutated: 1 check, 0 predictions" in out
    assert "  mutants: 5/7 killed, 2 unexplained" in out, out
    assert (f"{folder / 'solution.py'}:7: mutant survives every check: change 3 to 4 in "
            f"`self.fc = nn.Linear(2, 3)`") in out
    assert "      -        self.fc = nn.Linear(2, 3)\n      +        self.fc = nn.Linear(2, 4)" in out
    # a check on the sizes kills them
    sized = LESSON + ('\n[[checks]]\nid = "size"\nkind = "tensor"\nname = "fc.weight"\n'
                      'shape = [3, 2]\nlabel = "3 by 2"\nfail = "{actual}"\n')
    (folder / "lesson.toml").write_text(sized)
    assert cli.check(load_catalog(folder), mutants="mutated") == 0, capsys.readouterr().out
    assert "  mutants: 7/7 killed, 0 unexplained" in capsys.readouterr().out
    # or the lesson says why a survivor changes nothing
    (folder / "lesson.toml").write_text(LESSON + textwrap.dedent("""
        [[equivalent_mutants]]
        mutant = "change 2 to 3 in `self.fc = nn.Linear(2, 3)`"
        why = "Any input size shows registration."

        [[equivalent_mutants]]
        mutant = "change 3 to 4 in `self.fc = nn.Linear(2, 3)`"
        why = "Any output size shows registration."
        """))
    assert cli.check(load_catalog(folder), mutants="") == 0, capsys.readouterr().out
    assert "  mutants: 5/7 killed, 2 listed as equivalent, 0 unexplained" in capsys.readouterr().out


@pytest.mark.slow
def test_an_equivalent_mutant_the_solution_no_longer_gives_is_a_problem(tmp_path, capsys):
    folder = tmp_path / "mutated"
    folder.mkdir()
    sized = LESSON + ('\n[[checks]]\nid = "size"\nkind = "tensor"\nname = "fc.weight"\n'
                      'shape = [3, 2]\nlabel = "3 by 2"\nfail = "{actual}"\n')
    (folder / "lesson.toml").write_text(sized + textwrap.dedent("""
        [[equivalent_mutants]]
        mutant = "drop `self.fc = nn.Linear(4, 4)`"
        why = "An older solution."
        """))
    (folder / "solution.py").write_text(SOLUTION)
    (folder / "starter.py").write_text(SOLUTION.replace("self.fc =", "fc ="))
    assert cli.check(load_catalog(folder), mutants="") == 1
    out = capsys.readouterr().out
    assert (f"{folder / 'lesson.toml'}:28: equivalent_mutants: 'drop `self.fc = nn.Linear(4, 4)`' "
            f"is not a mutant of solution.py (any more): remove it") in out, out


def test_mutants_of_an_unknown_lesson_is_a_usage_error(capsys):
    from modbox.cli import main

    assert main(["lessons", "check", "--mutants", "no-such-lesson"]) == 2
    assert "no lesson 'no-such-lesson'" in capsys.readouterr().err
