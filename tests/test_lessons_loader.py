"""The lesson loader: the built-in lessons load, and every kind of broken file gets a precise message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modbox.lessons import load_catalog, load_lesson
from modbox.lessons.loader import LessonFileError, builtin_lessons_dir

VALID = textwrap.dedent('''\
    id = "tiny"
    title = "Tiny"
    order = 1
    torch = ">=2.0"
    objectives = ["Know one thing."]
    hints = ["A nudge.", "The fix."]

    [[steps]]
    id = "intro"
    title = "Intro"
    text = "Some prose."
    prediction = "q"

    [[steps]]
    id = "task"
    title = "Task"
    text = "Do it."
    task = "Make it pass."

    [[predictions]]
    id = "q"
    question = "Which?"
    observe = "print('a')"

    [[predictions.choices]]
    id = "a"
    text = "A"
    explanation = "Because."
    correct = true

    [[predictions.choices]]
    id = "b"
    text = "B"
    explanation = "Not so."

    [[predictions.choices]]
    id = "c"
    text = "C"
    explanation = "Not that either."

    [[checks]]
    id = "runs"
    kind = "outcome"
    is = "ok"
    label = "It runs"
    fail = "It stopped: {actual}"
    ''')


def write_lesson(root: Path, name: str = "tiny", toml: str = VALID, starter: bool = True,
                 solution: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "lesson.toml").write_text(toml)
    if starter:
        (folder / "starter.py").write_text("raise SystemExit(1)\n")
    if solution:
        (folder / "solution.py").write_text("print('ok')\n")
    return folder


def errors_for(tmp_path: Path, toml: str, **kw) -> list[str]:
    folder = write_lesson(tmp_path, toml=toml, **kw)
    with pytest.raises(LessonFileError) as info:
        load_lesson(folder, torch_version="2.13.0")
    return info.value.errors


def test_builtin_lessons_load_without_errors():
    catalog = load_catalog()
    assert catalog.broken == ()
    assert [lesson.id for lesson in catalog.lessons][:3] == ["objects", "anatomy", "registration"]


def test_builtin_lessons_for_real_code_come_after_every_basic_one():
    catalog = load_catalog()
    groups = [lesson.group for lesson in catalog.lessons]
    assert groups == sorted(groups, key=["basics", "real-code"].index)
    assert [lesson.id for lesson in catalog.lessons if lesson.group == "real-code"] == [
        "init-order", "meta-device", "parametrizations", "prefixed-keys", "walk-and-copy", "compiled-module"]


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
    errors = errors_for(tmp_path, VALID.replace('order = 1', 'order = 1\nlevel = "easy"'))
    assert errors[0].endswith(":4: level: unknown key (known keys here: id, title, order, torch, "
                              "objectives, steps, checks, hints, summary, requires, predictions, "
                              "myth, limits, files, group, overrides, equivalent_mutants)")


def test_group_defaults_to_the_basics_and_real_code_lessons_sort_after_every_basic_one(tmp_path):
    assert load_lesson(write_lesson(tmp_path / "a"), torch_version="2.13.0").group == "basics"
    write_lesson(tmp_path / "course", "early", VALID.replace('"tiny"', '"early"').replace(
        'order = 1', 'order = 1\ngroup = "real-code"'))
    write_lesson(tmp_path / "course", "late", VALID.replace('"tiny"', '"late"').replace('order = 1', 'order = 9'))
    catalog = load_catalog(tmp_path / "course", torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["late", "early"]
    assert [(heading, [lesson.id for lesson in members]) for heading, members in catalog.groups()] == [
        ("The basics", ["late"]), ("In real code", ["early"])]


def test_an_unknown_group_names_the_known_groups(tmp_path):
    errors = errors_for(tmp_path, VALID.replace('order = 1', 'order = 1\ngroup = "advanced"'))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:4: group: unknown group 'advanced' "
                      "(known groups: basics, real-code)"]


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
    errors = errors_for(tmp_path, VALID.replace('order = 1', 'order = 1\nfiles = ["data.csv"]'))
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
    errors = errors_for(tmp_path, VALID.replace("order = 1", 'order = "first"'))
    assert errors == [f"{tmp_path / 'tiny' / 'lesson.toml'}:3: order: must be an integer, got str 'first'"]


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
    write_lesson(tmp_path, "one", VALID.replace('order = 1', 'order = 1\nrequires = ["nope"]'))
    write_lesson(tmp_path, "two", VALID.replace('"tiny"', '"two"').replace('order = 1', 'order = 2\nrequires = ["three"]'))
    write_lesson(tmp_path, "three", VALID.replace('"tiny"', '"three"').replace('order = 1', 'order = 3\nrequires = ["two"]'))
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
    toml = VALID.replace("order = 1", 'order = "x"').replace('kind = "outcome"', 'kind = "nope"')
    errors = errors_for(tmp_path, toml.replace("correct = true\n", ""))
    assert len(errors) == 3


def test_catalog_orders_lessons_by_order_then_id(tmp_path):
    write_lesson(tmp_path, "z", VALID.replace('"tiny"', '"zeta"'))
    write_lesson(tmp_path, "a", VALID.replace('"tiny"', '"alpha"').replace("order = 1", "order = 2"))
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    assert [lesson.id for lesson in catalog.lessons] == ["zeta", "alpha"]


def test_a_file_that_is_not_utf8_is_a_broken_lesson_not_a_crash(tmp_path):
    folder = write_lesson(tmp_path, "latin")
    (folder / "starter.py").write_bytes(b"# caf\xe9\n")
    write_lesson(tmp_path, "other")
    (tmp_path / "other" / "lesson.toml").write_bytes(b"id = '\xff'\n")
    catalog = load_catalog(tmp_path, torch_version="2.13.0")
    messages = sorted(e.split(": ", 1)[1] for e in catalog.errors)
    assert messages[0].startswith("lesson.toml: cannot be read as UTF-8 text")
    assert messages[1].startswith("starter.py: cannot be read as UTF-8 text")


def test_catalog_of_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder of lessons"):
        load_catalog(tmp_path / "nope")


def test_a_lesson_that_requires_a_broken_lesson_still_loads(tmp_path):
    write_lesson(tmp_path, "first", VALID.replace('"tiny"', '"first"').replace("hints = [\"A nudge.\", \"The fix.\"]", "hints = []"))
    write_lesson(tmp_path, "second", VALID.replace('"tiny"', '"second"').replace("order = 1", 'order = 2\nrequires = ["first"]'))
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
    toml = VALID.replace('order = 1', 'order = 1\noverrides = ["state_dict"]') + REFERENCE_CHECKS
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
    toml = VALID.replace('order = 1', 'order = 1\noverrides = ["state_dict"]') + REFERENCE_CHECKS
    assert change[0] in toml
    errors = errors_for(tmp_path, toml.replace(*change))
    assert any(error in e for e in errors), errors
