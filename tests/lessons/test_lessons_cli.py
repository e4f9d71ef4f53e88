"""`modbox lessons` and `modbox lessons check`: output and exit codes.

The check runs here use a small stand-in sandbox that runs each program with the real Python in
a subprocess (no inspector), enough for lessons whose checks read the output and the outcome.
The built-in lessons are checked on the real sandbox in test_lessons_engine.py.
"""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

from modbox.cli import main as modbox_main
from modbox.lessons import cli, load_catalog
from modbox.lessons.progress import ProgressStore
from tests.support.lessons import SUMMARY, VALID, SubprocessSandbox, write_course, write_lesson


def check(tmp_path, capsys):
    code = cli.check(load_catalog(tmp_path, torch_version="2.13.0"), SubprocessSandbox)
    return code, capsys.readouterr().out


def test_check_passes_a_good_lesson(tmp_path, capsys):
    write_lesson(tmp_path)
    code, out = check(tmp_path, capsys)
    assert code == 0
    assert "✓ tiny: 1 check, 1 prediction" in out and out.endswith("all lessons are good\n")


def test_check_fails_when_the_starter_already_passes(tmp_path, capsys):
    folder = write_lesson(tmp_path)
    (folder / "starter.py").write_text("print('fine')\n")
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert f"{folder / 'lesson.toml'}:41: checks: starter.py passes every check; it must fail at least one" in out


def test_check_fails_when_the_solution_fails_a_check(tmp_path, capsys):
    folder = write_lesson(tmp_path)
    (folder / "solution.py").write_text("raise ValueError('nope')\n")
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert (f"{folder / 'lesson.toml'}:41: checks[runs]: solution.py fails this check: It stopped: "
            "exception: ValueError: nope") in out


def test_check_fails_when_observe_contradicts_the_marked_choice(tmp_path, capsys):
    folder = write_lesson(tmp_path, toml=VALID.replace("observe = \"print('a')\"", "observe = \"print('b')\""))
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert (f"{folder / 'lesson.toml'}:23: predictions[q].observe: on this torch the run shows 'b', "
            "but the lesson marks 'a' as correct") in out


def test_check_fails_when_observe_prints_no_choice_id(tmp_path, capsys):
    write_lesson(tmp_path, toml=VALID.replace("observe = \"print('a')\"", "observe = \"print(42)\""))
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert "the observe run's last line is '42', not one of the choice ids (a, b, c)" in out


def test_check_fails_when_the_myth_code_does_not_show_what_it_claims(tmp_path, capsys):
    toml = VALID.replace('task = "Make it pass."', 'task = "Make it pass."\nmyth = true') + textwrap.dedent('''
        [myth]
        claim = "C"
        code = "print('something else')"
        expect = "the proof"
        explanation = "E"
        ''')
    folder = write_lesson(tmp_path, toml=toml)
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert (f"{folder / 'lesson.toml'}:52: myth.expect: the myth's code did not print 'the proof'; "
            "it printed: something else") in out


def test_check_reports_broken_lessons_and_skips_unsupported_torch(tmp_path, capsys):
    write_lesson(tmp_path, "broken", VALID.replace("hints = [\"A nudge.\", \"The fix.\"]", "hints = []"))
    write_lesson(tmp_path, "future", VALID.replace('"tiny"', '"future"').replace('">=2.0"', '">=9"'))
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert "✗ tiny\n" in out and "lesson.toml:6: hints: must not be empty" in out
    assert "- future: not run (needs torch >=9; torch 2.13.0 is installed)" in out


def test_list_shows_progress_and_broken_lessons(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MODBOX_HOME", str(tmp_path / "home"))
    store = ProgressStore()
    store.update("registration", lambda p: setattr(p, "step", "fix"))
    store.update("objects", lambda p: setattr(p, "solved", True))
    assert cli.main(SimpleNamespace(action="list", dir=None, lessons=None)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "The basics"
    assert out[1].split() == ["1", "objects", "A", "model", "is", "an", "object", "(solved)"]
    assert out[2].endswith("(new)")
    registration = load_catalog().get("registration")
    step = [s.id for s in registration.steps].index("fix") + 1
    assert out[3].startswith("  3  registration")
    assert out[3].endswith(f"(started (step {step}/{len(registration.steps)}))")


def test_list_shows_each_group_of_the_course_under_its_heading_in_order(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MODBOX_HOME", str(tmp_path / "home"))
    write_lesson(tmp_path / "course", "wrapped", VALID.replace('"tiny"', '"wrapped"'))
    write_lesson(tmp_path / "course")
    write_course(tmp_path / "course", {"The basics": ["tiny"], "In real code": ["wrapped"]})
    assert modbox_main(["lessons", "list", str(tmp_path / "course")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in out] == [
        ["The", "basics"], ["1", "tiny"], [], ["In", "real"], ["2", "wrapped"]]


def test_list_of_a_teachers_folder_shows_a_broken_lesson_with_its_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MODBOX_HOME", str(tmp_path / "home"))
    write_lesson(tmp_path / "course")
    write_lesson(tmp_path / "course", "zz-broken", VALID.replace('"tiny"', '"other"').replace(SUMMARY, "summary = x"))
    assert modbox_main(["lessons", "list", str(tmp_path / "course")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Lessons"  # no course file: one heading, the lessons by id
    assert out[1].split() == ["1", "tiny", "Tiny", "(new)"]
    assert out[2] == ""
    assert out[3].startswith("  !  other  broken: ") and out[3].endswith(  # the id it states
        "lesson.toml:3: (toml): not valid TOML: Invalid value")


def test_usage_error_for_a_folder_that_does_not_exist(tmp_path, capsys):
    assert modbox_main(["lessons", "check", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_check_of_one_lesson_folder_resolves_requires_against_the_lessons_beside_it(tmp_path, capsys):
    write_lesson(tmp_path, "first", VALID.replace('"tiny"', '"first"'))
    folder = write_lesson(tmp_path, "second", VALID.replace('"tiny"', '"second"').replace(
        SUMMARY, 'requires = ["first"]'))
    code = cli.check(load_catalog(folder, torch_version="2.13.0"), SubprocessSandbox)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "checking 1 lesson in" in out and "✓ second: 1 check" in out


def test_check_of_one_lesson_folder_reports_a_requires_nothing_beside_it_has(tmp_path, capsys):
    folder = write_lesson(tmp_path, toml=VALID.replace(SUMMARY, SUMMARY + '\nrequires = ["nope"]'))
    code = cli.check(load_catalog(folder, torch_version="2.13.0"), SubprocessSandbox)
    out = capsys.readouterr().out
    assert code == 1
    assert f"{folder / 'lesson.toml'}:4: requires: no lesson has id 'nope' in {tmp_path}" in out


def test_a_cheat_that_passes_every_check_is_reported_and_one_that_fails_is_not(tmp_path, capsys):
    folder = write_lesson(tmp_path)
    (folder / "cheats").mkdir()
    (folder / "cheats" / "caught.py").write_text("raise SystemExit(1)\n")
    (folder / "cheats" / "sneaky.py").write_text("print('looks fine')\n")
    code, out = check(tmp_path, capsys)
    assert code == 1
    assert "✗ tiny: 1 check, 1 prediction, 2 cheats" in out
    assert "  cheats by kind: unlabelled 2" in out
    assert (f"{folder / 'cheats' / 'sneaky.py'}:1: cheats/sneaky.py: this cheat passes every check; "
            "a cheat must fail at least one") in out
    assert "caught.py" not in out
    (folder / "cheats" / "sneaky.py").unlink()
    code, out = check(tmp_path, capsys)
    assert code == 0, out


def test_check_of_one_lesson_folder_from_the_command_line(tmp_path, capsys, monkeypatch):
    folder = write_lesson(tmp_path)
    monkeypatch.setattr(cli, "check", lambda catalog, **options: print([l.id for l in catalog.lessons], catalog.broken) or 0)
    assert modbox_main(["lessons", "check", str(folder)]) == 0
    assert capsys.readouterr().out == "['tiny'] ()\n"
