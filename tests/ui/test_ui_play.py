"""Play mode: files, saving, autosave and recovery, the file picker, templates, keys, help, themes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from textual.widgets import Input

from modbox.ui.autosave import draft_path, load_draft
from modbox.ui.widgets.dialogs import AskScreen, ConfirmScreen
from modbox.ui.screens.help import HelpScreen
from modbox.ui.screens.new_from_template import TemplateScreen
from modbox.ui.screens.open_file import OpenFileScreen
from modbox.ui.templates import SCRATCH, TEMPLATES, template
from tests.support import ROOT
from tests.support.ui import drive, scripted_app, wait_for, wait_for_report


def notifications(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def test_a_missing_file_is_created_from_the_mlp_template(tmp_path):
    target = tmp_path / "new_model.py"
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        assert target.read_text() == template("mlp").text
        assert app.workspace.source == template("mlp").text
        assert "Created new_model.py" in notifications(app)

    drive(app, scenario)


def test_ctrl_s_saves_and_keeps_crlf_and_bom(tmp_path):
    target = tmp_path / "windows.py"
    target.write_bytes(b"\xef\xbb\xbfx = 1\r\ny = 2\r\n")
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        ws = app.workspace
        assert ws.source == "x = 1\ny = 2\n"
        assert "CRLF" in notifications(app)
        ws.editor.move_cursor((2, 0))
        await pilot.press(*"z = 3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert target.read_bytes() == b"\xef\xbb\xbfx = 1\r\ny = 2\r\nz = 3"
        assert not draft_path(target).exists()

    drive(app, scenario)


@pytest.mark.slow
@pytest.mark.parametrize(
    "content, says",
    [
        (b"\x00\x01\x02binary", "binary"),
        (b"x = '\xff\xfe'\n", "not UTF-8"),
        (b"# big\n" + b"x = 1\n" * 200_000, "too big"),
    ],
    ids=["binary", "not-utf8", "huge"],
)
def test_a_file_that_cannot_be_edited_gets_a_message_and_a_scratch_buffer(tmp_path, content, says):
    target = tmp_path / "odd.py"
    target.write_bytes(content)
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        assert says in notifications(app)
        assert "scratch buffer instead" in notifications(app)
        assert app.workspace.source == SCRATCH
        app.screen.action_save()  # a scratch buffer asks for a name: it never overwrites odd.py
        await pilot.pause()
        assert isinstance(app.screen, AskScreen) and target.read_bytes() == content

    drive(app, scenario)


def test_a_save_error_is_shown_and_the_buffer_is_kept(tmp_path):
    target = tmp_path / "ro" / "model.py"
    target.parent.mkdir()
    target.write_text("x = 1\n")
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        ws = app.workspace
        ws.set_source("x = 2\n")
        target.parent.chmod(0o500)
        target.chmod(0o400)
        try:
            if os.access(target.parent, os.W_OK):  # root ignores permissions: fail the write instead
                target.parent.chmod(0o700)
                target.unlink()
                target.mkdir()  # replacing a folder with a file fails for everyone
            await pilot.press("ctrl+s")
            await pilot.pause()
        finally:
            target.parent.chmod(0o700)
        assert "Could not save" in notifications(app)
        assert ws.source == "x = 2\n"
        assert app.screen.modified

    drive(app, scenario)


@pytest.mark.slow
def test_autosave_writes_a_draft_and_the_next_launch_offers_it_back(tmp_path):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    app, _ = scripted_app(file=target)

    async def typing(pilot):
        ws = app.workspace
        ws.editor.move_cursor((1, 0))
        await pilot.press(*"y = 2")
        await wait_for(pilot, lambda: (load_draft(target) or None) is not None
                       and load_draft(target).text == ws.source, what="the draft")

    # run_test ends without ctrl+q: the process state is what a kill leaves behind
    drive(app, typing)
    assert target.read_text() == "x = 1\n"

    again, _ = scripted_app(file=target)

    async def recovering(pilot):
        await wait_for(pilot, lambda: isinstance(again.screen, ConfirmScreen), what="the offer")
        assert "Restore it?" in str(again.screen.query_one(".dialog-title").render())
        await pilot.click("#yes")
        await pilot.pause()
        assert again.workspace.source == "x = 1\ny = 2"
        assert again.screen.modified

    drive(again, recovering, settle=False)


@pytest.mark.slow
def test_discarding_the_offered_draft_removes_it(tmp_path):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    draft_path(target).parent.mkdir(parents=True)
    draft_path(target).write_text(json.dumps({"file": str(target), "text": "lost = 1\n", "saved_at": 0}))
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer")
        await pilot.click("#no")
        await pilot.pause()
        assert app.workspace.source == "x = 1\n"
        assert not draft_path(target).exists()

    drive(app, scenario, settle=False)


def test_quitting_writes_the_newest_text_to_the_draft(tmp_path):
    app, _ = scripted_app()

    async def scenario(pilot):
        app.workspace.editor.move_cursor((5, 0))
        await pilot.press(*"w = 1")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.click("#no")  # quit without saving

    drive(app, scenario)
    assert load_draft(None).text.endswith("w = 1")


@pytest.mark.slow
def test_the_file_picker_opens_a_typed_path(tmp_path):
    other = tmp_path / "other.py"
    other.write_text("other = 1\n")
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OpenFileScreen), what="the picker")
        app.screen.query_one("#open-path", Input).value = "other.py"
        await pilot.press("enter")
        await pilot.pause()
        assert app.workspace.source == "other = 1\n"
        assert app.screen.file.path == other
        assert app.workspace.filename == "other.py"

    drive(app, scenario)


@pytest.mark.slow
def test_the_file_picker_lists_python_files_and_opens_the_chosen_one(tmp_path):
    (tmp_path / "pick_me.py").write_text("picked = 1\n")
    (tmp_path / "notes.txt").write_text("not python")
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OpenFileScreen), what="the picker")
        tree = app.screen.query_one("#open-tree")
        await wait_for(pilot, lambda: len(tree.root.children) > 0, what="the listing")
        names = [str(n.label) for n in tree.root.children]
        assert "pick_me.py" in names and "notes.txt" not in names
        tree.focus()
        tree.move_cursor(next(n for n in tree.root.children if str(n.label) == "pick_me.py"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.workspace.source == "picked = 1\n", what="the file")

    drive(app, scenario)


@pytest.mark.slow
def test_new_from_a_template_replaces_the_buffer():
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateScreen), what="templates")
        options = app.screen.query_one("#template-list")
        assert options.option_count == len(TEMPLATES) == 6
        options.highlighted = [t.id for t in TEMPLATES].index("tied_weights")
        await pilot.press("enter")
        await pilot.pause()
        assert app.workspace.source == template("tied_weights").text

    drive(app, scenario)


@pytest.mark.slow
def test_a_keymap_file_remaps_a_binding_by_its_id(modbox_home):
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text('"workspace.run" = "ctrl+j"\n"no.such.id" = "x"\n')
    app, sandbox = scripted_app()

    async def scenario(pilot):
        app.workspace.live = False
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        assert sandbox.runs == []  # ctrl+r no longer runs
        await pilot.press("ctrl+j")
        await wait_for_report(pilot)
        assert len(sandbox.runs) == 1
        assert "no.such.id" in notifications(app)

    drive(app, scenario)


def test_play_mode_accepts_a_keymap_written_for_the_lessons_too(modbox_home):
    """``modbox play`` and ``modbox learn`` read the same keymap.toml: lesson ids are no problem."""
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text('"lesson.hint" = "f8"\n"menu.resume" = "r"\n')
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.pause()
        assert app.keymap_problems == []
        assert "no binding has the id" not in notifications(app)

    drive(app, scenario)


@pytest.mark.slow
def test_help_lists_every_binding_id_with_remapped_keys(modbox_home):
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text('"play.save" = "ctrl+w"\n')
    app, _ = scripted_app()

    async def scenario(pilot):
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        table = app.screen.query(".dialog")
        assert table
        from modbox.ui.screens.help import key_table

        rendered = app.screen.sections
        ids = {b.id for _, bs in rendered for b in bs}
        assert {"workspace.run", "workspace.live", "play.save", "play.open", "play.new", "app.help",
                "editor.comment", "editor.find", "editor.goto_line", "pane.hooks"} <= ids
        from rich.console import Console

        console = Console(width=160, record=True)
        console.print(key_table(rendered, app.screen.keymap))
        text = console.export_text()
        assert "ctrl+w" in text and "play.save" in text and "Undo / redo" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

    drive(app, scenario)


@pytest.mark.slow
def test_editor_keys_comment_find_and_go_to_line():
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source("a = 1\nb = 2\nc = 3\n")
        ws.editor.focus()
        await pilot.press("ctrl+g")
        await pilot.press(*"3", "enter")
        await pilot.pause()
        assert ws.editor.cursor_location == (2, 0)
        await pilot.press("ctrl+underscore")
        assert ws.source == "a = 1\nb = 2\n# c = 3\n"
        await pilot.press("ctrl+underscore")
        assert ws.source == "a = 1\nb = 2\nc = 3\n"
        await pilot.press("ctrl+f")
        await pilot.press(*"b = ", "enter")
        await pilot.pause()
        assert ws.editor.selected_text == "b = "
        await pilot.press("ctrl+z")
        await pilot.press("ctrl+home", "tab")
        assert ws.source.startswith("    a = 1")
        await pilot.press("shift+tab")
        assert ws.source.startswith("a = 1")

    drive(app, scenario)


@pytest.mark.slow
def test_palette_offers_run_live_open_save_templates_panes_and_theme():
    app, _ = scripted_app()

    async def scenario(pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Run", "Save", "Open", "New from template", "Template: Small CNN",
                       "Pane: Hooks", "Theme: light", "Copy report"):
            assert wanted in titles
        assert any(t.startswith("Live mode") for t in titles)

    drive(app, scenario)


def test_theme_toggles_between_dark_and_light_and_the_report_copies_to_the_clipboard():
    app, _ = scripted_app()

    async def scenario(pilot):
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("f9")
        assert json.loads(app.clipboard)["ok"] is True

    drive(app, scenario)


def test_no_color_is_respected():
    code = (
        "from modbox.ui.app import ModboxApp\n"
        "app = ModboxApp()\n"
        "print(app.no_color)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NO_COLOR": "1"},
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True"


@pytest.mark.slow
def test_the_ui_process_never_imports_torch():
    code = (
        "import asyncio, sys\n"
        "from tests.support.ui import scripted_app\n"
        "app, _ = scripted_app()\n"
        "async def main():\n"
        "    async with app.run_test() as pilot:\n"
        "        app.workspace.run_now()\n"
        "        await pilot.pause(0.5)\n"
        "asyncio.run(main())\n"
        "print('torch' in sys.modules, 'modbox.ui.app' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "False True", out.stderr[-2000:]


def test_a_draft_of_unreadable_bytes_is_kept_aside_with_a_message_and_modbox_starts(tmp_path):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    draft_path(target).parent.mkdir(parents=True)
    draft_path(target).write_bytes(b'{"text": "\xff\xfe broken"}')
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        assert app.workspace.source == "x = 1\n"
        assert not isinstance(app.screen, ConfirmScreen)
        said = notifications(app)
        assert "could not be read (bytes that are not text)" in said
        kept = [p for p in draft_path(target).parent.iterdir() if ".corrupt-" in p.name]
        assert len(kept) == 1 and str(kept[0]) in said
        assert kept[0].read_bytes() == b'{"text": "\xff\xfe broken"}'

    drive(app, scenario)


def test_escape_on_the_draft_offer_keeps_it_and_asks_again_next_time(tmp_path):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    draft_path(target).parent.mkdir(parents=True)
    draft_path(target).write_text(json.dumps({"file": str(target), "text": "kept = 1\n", "saved_at": 0}))
    app, _ = scripted_app(file=target)

    async def put_off(pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the offer")
        await pilot.press("escape")
        await pilot.pause()
        app.workspace.editor.move_cursor((1, 0))
        await pilot.press(*"typed = 2")  # autosave writes this text: it must not replace the draft
        await wait_for(pilot, lambda: (load_draft(target) or None) is not None, what="the autosave")
        await pilot.press("ctrl+q")

    drive(app, put_off, settle=False)
    again, _ = scripted_app(file=target)

    async def restore(pilot):
        await wait_for(pilot, lambda: isinstance(again.screen, ConfirmScreen), what="the offer again")
        assert "kept = 1" not in again.screen_stack[0].workspace.source
        await pilot.click("#yes")
        # then the newer autosave, typed after the first offer, is offered too
        await wait_for(pilot, lambda: isinstance(again.screen, ConfirmScreen), what="the second offer")
        await pilot.click("#no")
        await wait_for(pilot, lambda: again.workspace is not None, what="the play screen")
        assert again.workspace.source == "kept = 1\n"

    drive(again, restore, settle=False)


def test_the_theme_chosen_is_the_theme_of_the_next_launch(modbox_home):
    app, _ = scripted_app()

    async def choose_light(pilot):
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"

    drive(app, choose_light)
    again, _ = scripted_app()

    async def check(pilot):
        assert again.theme == "textual-light"

    drive(again, check)


def test_a_settings_file_of_unreadable_bytes_is_kept_aside_with_a_message(modbox_home):
    path = modbox_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x81 theme")
    app, _ = scripted_app()

    async def scenario(pilot):
        assert app.theme == "textual-dark"
        assert "settings file could not be read (bytes that are not text)" in notifications(app)
        kept = [p for p in path.parent.iterdir() if p.name.startswith("settings.json.corrupt-")]
        assert [p.read_bytes() for p in kept] == [b"\x80\x81 theme"]

    drive(app, scenario)


def test_a_keymap_of_unreadable_bytes_is_named_with_a_message_and_modbox_starts(modbox_home):
    path = modbox_home / "config" / "keymap.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'"workspace.run" = "\xff"')
    app, _ = scripted_app()

    async def scenario(pilot):
        assert str(path) in notifications(app) and "was ignored" in notifications(app)
        assert path.read_bytes() == b'"workspace.run" = "\xff"'  # the learner's own file, untouched

    drive(app, scenario)


@pytest.mark.parametrize("binding, keys, why", [
    ("app.quit", "ctrl+nonsense+++", "is not a key"),
    ("workspace.run", "ctrl+r,shift+", "is not a key"),
    ("play.save", "hyperctrl+s", "is not a key"),
    ("app.quit", "ctrl+ctrl+q", "is not a key"),
    ("app.quit", "q", "takes its key before the editor does"),
    ("app.quit", "shift+q", "takes its key before the editor does"),
    ("workspace.run", "f5,enter", "takes its key before the editor does"),
])
def test_a_keymap_entry_that_is_no_key_or_steals_a_typing_key_is_refused_with_a_message(
        modbox_home, binding, keys, why):
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text(f'"{binding}" = "{keys}"\n"editor.find" = "ctrl+k"\n')
    app, _ = scripted_app()

    async def scenario(pilot):
        assert len(app.keymap_problems) == 1
        assert binding in app.keymap_problems[0] and why in app.keymap_problems[0]
        assert why in notifications(app)
        app.workspace.editor.move_cursor((0, 0))
        await pilot.press("q", "enter")
        assert app.workspace.source.startswith("q\n") and app.is_running
        await pilot.press("ctrl+k")  # the rest of the file still applies
        assert isinstance(app.screen, AskScreen)

    drive(app, scenario)


def test_a_keymap_id_written_without_quotes_is_the_same_id(modbox_home):
    # TOML reads `editor.find = ...` as a table `editor` holding `find`
    config = modbox_home / "config"
    config.mkdir(parents=True)
    (config / "keymap.toml").write_text('editor.find = "ctrl+k"\n')
    app, _ = scripted_app()

    async def scenario(pilot):
        assert app.keymap_problems == []
        app.workspace.editor.focus()
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, AskScreen)

    drive(app, scenario)


@pytest.mark.parametrize("answer", ["escape", "#no", "#yes", "ctrl+q"])
def test_ctrl_q_with_unsaved_changes_asks_and_nothing_is_lost_whatever_the_answer(tmp_path, answer):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        app.workspace.editor.move_cursor((1, 0))
        await pilot.press(*"y = 2")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "model.py has unsaved changes" in app.screen.question
        if answer.startswith("#"):
            await pilot.click(answer)
        else:
            await pilot.press(answer)
        await pilot.pause()
        if answer == "escape":
            assert app.is_running and app.workspace.source == "x = 1\ny = 2"
            app.quit_now()

    drive(app, scenario)
    if answer == "#yes":
        assert target.read_text() == "x = 1\ny = 2"
        assert load_draft(target) is None
    else:
        assert target.read_text() == "x = 1\n"
        assert load_draft(target).text == "x = 1\ny = 2"


def test_ctrl_q_without_changes_quits_at_once(tmp_path):
    target = tmp_path / "model.py"
    target.write_text("x = 1\n")
    app, _ = scripted_app(file=target)

    async def scenario(pilot):
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

    drive(app, scenario)
    assert app.return_code == 0


@pytest.mark.parametrize("line, typed, expected", [
    ("def f(x):", "return x", "def f(x):\n    return x"),
    ("    if x:  # why: because", "y = 1", "    if x:  # why: because\n        y = 1"),
    ("    y = 1", "z = 2", "    y = 1\n    z = 2"),
    ("d = {'a': 1}", "e = 2", "d = {'a': 1}\ne = 2"),
    ("# a comment:", "x = 1", "# a comment:\nx = 1"),
])
def test_enter_keeps_the_indentation_and_indents_after_a_colon(line, typed, expected):
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source(line)
        ws.editor.focus()
        await pilot.press("ctrl+end")
        await pilot.pause(0.05)  # typed, not pasted
        await pilot.press("enter", *typed)
        assert ws.source == expected
        await pilot.press("ctrl+z")
        assert ws.source.startswith(line)

    drive(app, scenario)


def test_ctrl_a_selects_the_whole_buffer():
    app, _ = scripted_app()

    async def scenario(pilot):
        ws = app.workspace
        ws.live = False
        ws.set_source("a = 1\nb = 2\n")
        ws.editor.focus()
        await pilot.press("ctrl+a")
        assert ws.editor.selected_text == "a = 1\nb = 2\n"
        await pilot.press(*"x")
        assert ws.source == "x"

    drive(app, scenario)
