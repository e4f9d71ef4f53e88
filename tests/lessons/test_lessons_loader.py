"""The lesson loader: the built-in lessons load, and every kind of broken file gets a precise message."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

import pytest

from modbox.lessons import load_catalog, load_lesson
from modbox.lessons.loader import LessonFileError, builtin_lessons_dir
from tests.support.lessons import SUMMARY, VALID, write_course, write_lesson


def errors_for(tmp_path: Path, toml: str, **kw) -> list[str]:
    folder = write_lesson(tmp_path, toml=toml, **kw)
    with pytest.raises(LessonFileError) as info:
        load_lesson(folder, torch_version="2.13.0")
    return info.value.errors


def course_groups(root: Path) -> list[tuple[str, list[str]]]:
    """(title, lesson ids) of each group of ``root``'s course.toml, read as plain TOML."""
    with open(root / "course.toml", "rb") as f:
        return [(group["title"], group["lessons"]) for group in tomllib.load(f)["groups"]]


def test_builtin_lessons_load_without_errors_in_the_order_of_the_course_file():
    catalog = load_catalog()
    assert catalog.broken == ()
    assert [(heading, [lesson.id for lesson in members]) for heading, members in catalog.groups()] == \
        course_groups(builtin_lessons_dir())
    assert [lesson.order for lesson in catalog.lessons] == list(range(1, len(catalog.lessons) + 1))


def test_every_builtin_lesson_ships_six_cheats_each_naming_its_kind_two_of_them_honest_mistakes():
    from collections import Counter

    from modbox.lessons.model import CHEAT_KINDS, cheat_kind

    short = {}
    for lesson in load_catalog().lessons:
        kinds = Counter(cheat_kind(source) for _, source in lesson.cheats)
        unlabelled = [name for name, source in lesson.cheats if cheat_kind(source) not in CHEAT_KINDS]
        if len(lesson.cheats) < 6 or kinds["misconception"] < 2 or unlabelled:
            short[lesson.id] = (len(lesson.cheats), kinds["misconception"], unlabelled)
    assert short == {}


def test_a_cheat_of_an_unknown_kind_is_a_lesson_error(tmp_path):
    folder = write_lesson(tmp_path)
    (folder / "cheats").mkdir()
    (folder / "cheats" / "odd.py").write_text("# kind: sneaky\nprint('hi')\n")
    with pytest.raises(LessonFileError) as info:
        load_lesson(folder, torch_version="2.13.0")
    assert any("cheats/odd.py: unknown kind 'sneaky' (known: misconception, partial" in e
               for e in info.value.errors)


def test_builtin_folder_is_the_checkout_lessons_folder():
    assert (builtin_lessons_dir() / "registration" / "lesson.toml").is_file()


def test_valid_lesson_loads_with_every_part(tmp_path):
    lesson = load_lesson(write_lesson(tmp_path), torch_version="2.13.0")
    assert lesson.id == "tiny"
    assert [s.id for s in lesson.steps] == ["intro", "task"]
    assert lesson.prediction("q").marked.id == "a"
    assert lesson.checks[0].options == {"is": "ok"}
    assert lesson.starter == "raise SystemExit(1)\n"
    assert lesson.torch_problem is None


def test_bad_toml_reports_the_line_of_the_syntax_error(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('title = "Tiny"', 'title = "Tiny'))
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path / 'tiny' / 'lesson.toml'}:2: (toml): not valid TOML")


def test_unknown_key_is_reported_with_its_line_and_the_known_keys(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('text = "Do it."', 'text = "Do it."\ntext_file = "x.md"'))
    assert errors == [
        f"{tmp_path / 'tiny' / 'lesson.toml'}:18: steps[task].text_file: unknown key "
        "(known keys here: id, title, text, prediction, task, myth)"
    ]


def test_unknown_top_level_key(tmp_path):
    errors = errors_for(tmp_path, VALID.replace(SUMMARY, SUMMARY + '\nlevel = "easy"'))
    assert errors[0].endswith(":4: level: unknown key (known keys here: id, title, torch, "
                              "objectives, steps, checks, hints, summary, requires, predictions, "
                              "myth, limits, files, overrides, equivalent_mutants)")


def test_the_course_file_orders_and_groups_the_lessons(tmp_path):
    for ident in ("early", "late", "wrapped"):
        write_lesson(tmp_path, ident, VALID.replace('"tiny"', f'"{ident}"'))
    write_course(tmp_path, {"First steps": ["late", "early"], "Later": ["wrapped"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert catalog.broken == ()
    assert [(heading, [lesson.id for lesson in members]) for heading, members in catalog.groups()] == [
        ("First steps", ["late", "early"]), ("Later", ["wrapped"])]
    assert [(lesson.id, lesson.order) for lesson in catalog.lessons] == [("late", 1), ("early", 2), ("wrapped", 3)]


def test_without_a_course_file_the_lessons_are_listed_by_id_under_one_heading(tmp_path):
    write_lesson(tmp_path, "z", VALID.replace('"tiny"', '"zeta"'))
    write_lesson(tmp_path, "a", VALID.replace('"tiny"', '"alpha"'))
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [(heading, [lesson.id for lesson in members]) for heading, members in catalog.groups()] == [
        ("Lessons", ["alpha", "zeta"])]


def test_a_lesson_folder_the_course_does_not_list_is_a_broken_lesson(tmp_path):
    write_lesson(tmp_path, "listed", VALID.replace('"tiny"', '"listed"'))
    write_lesson(tmp_path, "forgotten", VALID.replace('"tiny"', '"forgotten"'))
    course = write_course(tmp_path, {"Basics": ["listed"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["listed"]
    assert [(b.id, b.path.name) for b in catalog.broken] == [("forgotten", "forgotten")]
    assert catalog.errors == [f"{course}:1: lessons: the lesson 'forgotten' (forgotten/) is not in the course: "
                              "add its id to a group's `lessons`, where it belongs in the order"]


def test_an_id_the_course_lists_twice_is_reported_at_its_second_line(tmp_path):
    write_lesson(tmp_path, "one", VALID.replace('"tiny"', '"one"'))
    write_lesson(tmp_path, "two", VALID.replace('"tiny"', '"two"'))
    course = write_course(tmp_path, {"Basics": ["one", "two"], "More": ["one"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["two"]
    assert catalog.errors == [f"{course}:11: lessons: 'one' is listed twice: list each lesson once"]


def test_an_id_the_course_lists_without_a_lesson_folder_is_reported(tmp_path):
    write_lesson(tmp_path)
    course = write_course(tmp_path, {"Basics": ["tiny", "ghost"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["tiny"]
    assert [(b.id, b.path) for b in catalog.broken] == [("ghost", course)]
    assert catalog.errors == [f"{course}:5: lessons: 'ghost' is listed, but no lesson folder here has that id"]


def test_a_required_lesson_the_course_lists_later_is_reported(tmp_path):
    write_lesson(tmp_path, "base", VALID.replace('"tiny"', '"base"'))
    write_lesson(tmp_path, "top", VALID.replace('"tiny"', '"top"').replace(SUMMARY, 'requires = ["base"]'))
    course = write_course(tmp_path, {"Basics": ["top", "base"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert catalog.errors == [f"{course}:4: lessons: 'top' requires 'base', which the course lists after it: "
                              "move one of them"]


def test_a_broken_course_file_is_reported_and_the_lessons_still_load_by_id(tmp_path):
    write_lesson(tmp_path)
    (tmp_path / "course.toml").write_text('[[groups]]\nlessons = "tiny"\n')
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["tiny"]
    assert catalog.errors == [
        f"{tmp_path / 'course.toml'}:1: groups: group 1 needs a `title` (the menu heading), a string",
        f"{tmp_path / 'course.toml'}:1: groups: group 1 needs `lessons`, a list of lesson ids in order",
    ]


@pytest.mark.parametrize("key", ["order = 3", 'group = "real-code"'])
def test_order_and_group_in_a_lesson_file_point_at_the_course_file(tmp_path, key):
    errors = errors_for(tmp_path, VALID.replace(SUMMARY, key))
    name = key.split()[0]
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:3: {name}: `{name}` is no longer a lesson key: "
                      "the course's course.toml lists the groups and their lessons in order (see docs/lessons.md)"]


def test_duplicate_step_id(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('id = "task"', 'id = "intro"'))
    assert any(e.endswith(":15: steps[intro].id: duplicate step id 'intro'") for e in errors), errors


def test_duplicate_choice_id(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('id = "b"', 'id = "a"'))
    assert any(":32: predictions[q].choices[a].id: duplicate choice id 'a'" in e for e in errors), errors


def test_duplicate_check_id(tmp_path):
    toml = VALID + textwrap.dedent('''
        [[checks]]
        id = "runs"
        kind = "output"
        contains = "ok"
        label = "Prints ok"
        fail = "No ok"
        ''')
    errors = errors_for(tmp_path, toml)
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:49: checks[runs].id: duplicate check id 'runs'"]


def test_duplicate_lesson_id_across_folders_breaks_only_the_second(tmp_path):
    write_lesson(tmp_path, "a-first")
    write_lesson(tmp_path, "b-second")
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.path.name for lesson in catalog.lessons] == ["a-first"]
    assert len(catalog.broken) == 1
    assert catalog.broken[0].errors[0] == (
        f"{tmp_path / 'b-second' / 'lesson.toml'}:1: id: duplicate lesson id 'tiny' "
        f"(also used by {tmp_path / 'a-first' / 'lesson.toml'})")


def test_missing_starter_and_solution_are_reported(tmp_path):
    errors = errors_for(tmp_path, VALID, starter=False, solution=False)
    assert errors == [
        f"{tmp_path / 'tiny' / 'lesson.toml'}:1: (lesson): starter.py is missing: every lesson "
        "folder needs starter.py beside lesson.toml",
        f"{tmp_path / 'tiny' / 'lesson.toml'}:1: (lesson): solution.py is missing: every lesson "
        "folder needs solution.py beside lesson.toml",
    ]


def test_missing_extra_file_is_reported(tmp_path):
    errors = errors_for(tmp_path, VALID.replace(SUMMARY, SUMMARY + '\nfiles = ["data.csv"]'))
    assert errors[0].endswith(f":4: files: 'data.csv' does not exist in {tmp_path / 'tiny'}")


def test_missing_lesson_toml_makes_the_folder_broken(tmp_path):
    (tmp_path / "empty").mkdir()
    catalog = load_catalog(tmp_path)
    assert catalog.broken[0].errors[0].endswith("lesson.toml: file is missing (each lesson folder "
                                                "needs a lesson.toml, starter.py and solution.py)")


def test_unknown_check_kind_lists_the_known_kinds(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('kind = "outcome"', 'kind = "outcomes"'))
    assert len(errors) == 1
    assert errors[0].startswith(f"{tmp_path / 'tiny' / 'lesson.toml'}:43: checks[runs].kind: "
                                "unknown check kind 'outcomes' (known kinds: modules, parameters,")


def test_unknown_check_option_names_the_kind_keys(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('is = "ok"', 'is = "ok"\nequals = 3'))
    assert errors[0].endswith(":45: checks[runs].equals: unknown key (known keys here: id, kind, "
                              "label, fail, model, is, message_contains)")


def test_check_option_with_a_value_outside_its_vocabulary(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('is = "ok"', 'is = "crashed"'))
    assert errors[0].endswith(":44: checks[runs].is: 'crashed' is not one of: ok, syntax, exception, "
                              "timeout, cpu_limit, memory, crash, exit, output_limit, sandbox")


def test_check_kind_needs_one_of_its_comparisons(tmp_path):
    toml = VALID.replace('kind = "outcome"\nis = "ok"', 'kind = "count"\nof = "params"')
    errors = errors_for(tmp_path, toml)
    assert errors[0].endswith(":41: checks[runs]: a count check needs at least one of: equals, "
                              "at_least, at_most")


def test_no_correct_choice(tmp_path):
    errors = errors_for(tmp_path, VALID.replace("correct = true\n", ""))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:25: predictions[q].choices: exactly one "
                      "choice must have `correct = true`; 0 do"]


def test_two_correct_choices(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('explanation = "Not so."', 'explanation = "Not so."\ncorrect = true'))
    assert errors[0].endswith("predictions[q].choices: exactly one choice must have `correct = true`; 2 do")


def test_empty_hints_list(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('hints = ["A nudge.", "The fix."]', "hints = []"))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:6: hints: must not be empty"]


def test_blank_hint_tier(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('"The fix."', '"  "'))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:6: hints: entry 2 is empty"]


def test_missing_hints_key(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('hints = ["A nudge.", "The fix."]\n', ""))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:1: (lesson): missing required key `hints`"]


def test_wrong_type_says_what_was_expected(tmp_path):
    errors = errors_for(tmp_path, VALID.replace(SUMMARY, "summary = 1"))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:3: summary: must be a string, got int 1"]


def test_bad_torch_specifier(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('">=2.0"', '"2.0"'))
    assert errors[0].endswith(":4: torch: cannot read '2.0': expected an operator and a version, "
                              'e.g. ">=2.4"')


def test_torch_not_satisfied_loads_but_says_why(tmp_path):
    lesson = load_lesson(write_lesson(tmp_path, toml=VALID.replace('">=2.0"', '">=3.0"')),
                         torch_version="2.13.0+cpu")
    assert lesson.torch_problem == "needs torch >=3.0; torch 2.13.0+cpu is installed"


def test_prediction_not_asked_at_any_step(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('prediction = "q"\n', ""))
    assert errors[0].endswith(":19: predictions: prediction 'q' is not asked at any step "
                              '(add `prediction = "q"` to a step)')


def test_step_asks_an_unknown_prediction(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('prediction = "q"', 'prediction = "q2"'))
    assert f"{tmp_path / 'tiny' / 'lesson.toml'}:12: steps[intro].prediction: no prediction has id 'q2'" in errors


def test_lesson_without_a_task_step(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('task = "Make it pass."\n', ""))
    assert errors[0].endswith(":8: steps: no step has a `task`: one step must say what to change in the code")


def test_myth_must_be_shown_by_a_step(tmp_path):
    toml = VALID + '\n[myth]\nclaim = "C"\ncode = "print(1)"\nexplanation = "E"\n'
    errors = errors_for(tmp_path, toml)
    assert errors[0].endswith(":48: myth: no step shows the myth (add `myth = true` to a step)")


def test_requires_unknown_lesson_and_cycles(tmp_path):
    write_lesson(tmp_path, "one", VALID.replace(SUMMARY, 'requires = ["nope"]'))
    write_lesson(tmp_path, "two", VALID.replace('"tiny"', '"two"').replace(SUMMARY, 'requires = ["three"]'))
    write_lesson(tmp_path, "three", VALID.replace('"tiny"', '"three"').replace(SUMMARY, 'requires = ["two"]'))
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    messages = sorted(e.split(": ", 1)[1] for e in catalog.errors)
    assert messages == [
        "requires: 'three' requires itself through a cycle of lessons",
        "requires: 'two' requires itself through a cycle of lessons",
        "requires: no lesson has id 'nope'",
    ]


def test_a_broken_lesson_never_stops_the_others(tmp_path):
    write_lesson(tmp_path, "good")
    write_lesson(tmp_path, "bad", "id = [\n")
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["tiny"]
    assert catalog.broken[0].path.name == "bad"
    assert "not valid TOML" in catalog.broken[0].errors[0]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    toml = VALID.replace(SUMMARY, "summary = 1").replace('kind = "outcome"', 'kind = "nope"')
    errors = errors_for(tmp_path, toml.replace("correct = true\n", ""))
    assert len(errors) == 3


def test_a_file_that_is_not_utf8_is_a_broken_lesson_not_a_crash(tmp_path):
    folder = write_lesson(tmp_path, "latin")
    (folder / "starter.py").write_bytes(b"# caf\xe9\n")
    write_lesson(tmp_path, "other")
    (tmp_path / "other" / "lesson.toml").write_bytes(b"id = '\xff'\n")
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert sorted(catalog.errors) == sorted([
        f"{tmp_path / 'latin' / 'starter.py'}:1: (file): byte 0xe9 is not UTF-8 text: save the "
        "file as UTF-8 in a text editor",
        f"{tmp_path / 'other' / 'lesson.toml'}:1: (file): byte 0xff is not UTF-8 text: save the "
        "file as UTF-8 in a text editor",
    ])


def test_a_bad_byte_is_reported_at_its_own_line(tmp_path):
    folder = write_lesson(tmp_path)
    (folder / "lesson.toml").write_bytes(VALID.encode() + b"\n# caf\xe9\n")
    errors = load_catalog(tmp_path, torch_version="2.13.0").errors
    assert errors == [f"{folder / 'lesson.toml'}:{VALID.count(chr(10)) + 2}: (file): byte 0xe9 is not "
                      "UTF-8 text: save the file as UTF-8 in a text editor"]


@pytest.mark.parametrize("damage", [b"\n# caf\xe9\n", b"\n[[[ not toml\n"], ids=["not_utf8", "not_toml"])
def test_a_lesson_file_that_cannot_be_parsed_is_broken_not_missing_for_the_course_and_requires(
        tmp_path, damage):
    first = write_lesson(tmp_path, "first", VALID.replace('"tiny"', '"first"'))
    (first / "lesson.toml").write_bytes(VALID.replace('"tiny"', '"first"').encode() + damage)
    write_lesson(tmp_path, "second", VALID.replace('"tiny"', '"second"').replace(SUMMARY, 'requires = ["first"]'))
    write_course(tmp_path, {"All": ["first", "second"]})
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["second"]
    assert [b.id for b in catalog.broken] == ["first"]
    assert all("no lesson" not in e and "no lesson folder" not in e for e in catalog.errors), catalog.errors


def test_catalog_of_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder of lessons"):
        load_catalog(tmp_path / "nope")


def test_a_lesson_that_requires_a_broken_lesson_still_loads(tmp_path):
    write_lesson(tmp_path, "first", VALID.replace('"tiny"', '"first"').replace("hints = [\"A nudge.\", \"The fix.\"]", "hints = []"))
    write_lesson(tmp_path, "second", VALID.replace('"tiny"', '"second"').replace(SUMMARY, 'requires = ["first"]'))
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["second"]
    assert [b.id for b in catalog.broken] == ["first"]


def test_a_prediction_needs_three_choices(tmp_path):
    two = VALID.replace('[[predictions.choices]]\nid = "c"\ntext = "C"\nexplanation = "Not that either."\n', "")
    errors = errors_for(tmp_path, two)
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:25: predictions[q].choices: a prediction needs "
                      "at least 3 choices (it has 2): with two, ruling one out gives the answer away"]


REFERENCE_CHECKS = """
[[checks]]
id = "like"
kind = "differential"
class = "Net"
configs = [{ kwargs = { hidden = 7 }, dtype = "float64" }, { build = "Net(torch.ones(2))", train = false }]
input = "torch.randn(3, hidden)"
label = "like the solution"
fail = "{actual}"

[[checks]]
id = "saved"
kind = "file"
file = "w.pt"
class = "Net"
model = "restored"
label = "the file"
fail = "{actual}"

[[checks]]
id = "steps"
kind = "events"
event = "optimizer_step"
of = "optimizer"
count = 3
label = "steps"
fail = "{actual}"

[[equivalent_mutants]]
mutant = "change 3 to 4 in `x = torch.randn(3, 2)`"
why = "Any batch."
"""


def test_checks_against_the_solution_carry_it_and_the_lesson_lists_overrides_and_mutants(tmp_path):
    toml = VALID.replace(SUMMARY, SUMMARY + '\noverrides = ["state_dict"]') + REFERENCE_CHECKS
    lesson = load_lesson(write_lesson(tmp_path, toml=toml), torch_version="2.13.0")
    by_id = {c.id: c for c in lesson.checks}
    assert by_id["like"].reference == lesson.solution == by_id["saved"].reference
    assert by_id["steps"].reference == ""
    assert lesson.overrides == ("state_dict",)
    assert lesson.equivalent_mutants == (("change 3 to 4 in `x = torch.randn(3, 2)`", "Any batch."),)


@pytest.mark.parametrize("change, error", [
    (('overrides = ["state_dict"]', 'overrides = ["forward"]'),
     "overrides: 'forward' is not a method checks read"),
    (('dtype = "float64"', 'dtype = "float128"'),
     "checks[like].configs[1].dtype: 'float128' is not one of: float32, float64, float16, bfloat16"),
    (('train = false', 'train = false, seed = 1'), "checks[like].configs[2].seed: unknown key"),
    (('build = "Net(torch.ones(2))"', 'build = "Net(("'), "checks[like].configs[2].build: 'Net((' is "
                                                         "not a Python expression"),
    (('class = "Net"\nconfigs', 'configs'), "checks[like].configs: configurations build a `class`"),
    (('input = "torch.randn(3, hidden)"', 'input = "torch.randn(3, hidden)"\ncompare = ["shape"]'),
     "checks[like].compare: 'shape' is not one of: structure, outputs, grads"),
    (('event = "optimizer_step"', 'event = "save"'), "checks[steps].of: `of` names whose events count"),
    (('why = "Any batch."', ''), "equivalent_mutants[1]: missing required key `why`"),
])
def test_bad_reference_checks_overrides_and_mutants_are_reported(tmp_path, change, error):
    toml = VALID.replace(SUMMARY, SUMMARY + '\noverrides = ["state_dict"]') + REFERENCE_CHECKS
    assert change[0] in toml
    errors = errors_for(tmp_path, toml.replace(*change))
    assert any(error in e for e in errors), errors


@pytest.mark.parametrize("prose", ["Done? Press `n` to go on.", "hit `h` for a hint"])
def test_a_step_that_names_a_bare_letter_as_a_key_is_an_error(tmp_path, prose):
    errors = errors_for(tmp_path, VALID.replace('text = "Some prose."', f'text = "{prose}"'))
    assert len(errors) == 1 and "write `alt+" in errors[0] and "types" in errors[0]


def test_a_letter_in_backticks_that_is_not_a_key_is_fine(tmp_path):
    folder = write_lesson(tmp_path, toml=VALID.replace(
        'text = "Some prose."', 'text = "Multiply by `x`, or press `alt+n`."'))
    assert load_lesson(folder, torch_version="2.13.0").steps[0].text.startswith("Multiply")
