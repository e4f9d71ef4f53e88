"""Play mode: a Workspace around one file (or a scratch buffer), with save, open, templates and autosave."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TextArea

from modbox.source_file import SourceFile, UnreadableFile, read_source, write_source
from modbox.ui.autosave import (
    INTERVAL, DraftUnreadable, DraftWriter, draft_path, keep_copy, keep_undecided, load_draft,
    remove_draft,
)
from modbox.ui.file_watch import FileWatch
from modbox.ui.narrow import NarrowLayout
from modbox.ui.engine import Engine
from modbox.ui.widgets.dialogs import AskScreen, ConfirmScreen
from modbox.ui.templates import SCRATCH, template
from modbox.ui.widgets.footer import Footer
from modbox.ui.workspace import Workspace

LIVE_MAX_LINES = 2000  # above this, highlighting every keystroke lags: live mode starts off


def open_buffer(path: Path | None) -> tuple[SourceFile | None, str, str]:
    """(file or None for scratch, text, a message for the learner) for ``modbox play [FILE]``."""
    if path is None:
        return None, SCRATCH, ""
    path = Path(path).expanduser().absolute()
    if not path.exists():
        text = template("mlp").text
        file = SourceFile(path=path, text="")
        try:
            write_source(file, text)
        except OSError as exc:
            return file, text, f"Could not create {path}: {exc.strerror or exc}. Your text is kept; try ctrl+s."
        return file, text, f"Created {path.name} from the MLP template."
    try:
        file = read_source(path)
    except UnreadableFile as exc:
        return None, SCRATCH, f"{exc} Opened a scratch buffer instead."
    return file, file.text, file.note


def _shown_path(path: Path) -> str:
    """Relative to the folder modbox was started in when inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class PlayScreen(NarrowLayout):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="play.save"),
        Binding("ctrl+o", "open", "Open", id="play.open"),
        Binding("ctrl+n", "new", "New from template", id="play.new"),
    ]

    def __init__(self, engine: Engine, path: Path | None = None):
        super().__init__()
        self.engine = engine
        self.file, text, self._opening_note = open_buffer(path)
        # A scratch buffer counts as modified once it differs from how it started.
        self.saved_text = None if self._opening_note.startswith("Could not") else text
        self.writer = DraftWriter(self.file.path if self.file else None)
        self._version = 0
        self._autosave_timer = None
        self._watch: FileWatch | None = None
        self._initial_text = text
        lines = text.count("\n") + 1
        self._live = lines <= LIVE_MAX_LINES
        if not self._live:
            self._opening_note += f" Live mode is off for a {lines:,}-line file: ctrl+r runs it."

    def compose(self) -> ComposeResult:
        yield Static(id="file-bar")
        yield Workspace(
            self.engine,
            self._initial_text,
            filename=self.file.path.name if self.file else "scratch.py",
            live=self._live,
            id="workspace",
        )
        yield Footer()

    @property
    def workspace(self) -> Workspace:
        return self.query_one(Workspace)

    def on_mount(self) -> None:
        self.workspace.editor.focus()
        self._watch_file()
        self._show_file_bar()
        if self._opening_note:
            severity = "warning" if "instead" in self._opening_note or "Could not" in self._opening_note else "information"
            self.notify(self._opening_note.strip(), severity=severity, timeout=8)
        self._offer_draft()

    @property
    def files_note(self) -> str:
        """Where this screen's code lives on disk (the help screen says it)."""
        if self.file is None:
            return ("The scratch buffer is in no file: ctrl+s saves it to one. Unsaved text is "
                    f"autosaved in {draft_path(None).parent}.")
        return (f"You are editing {self.file.path}: edit it in any editor and it shows (and runs) "
                f"here. Unsaved text is autosaved in {draft_path(self.file.path).parent}.")

    # ------------------------------------------------------------------ another program's writes

    def _watch_file(self) -> None:
        """Follow the file on disk: the learner may edit it in their own editor."""
        if self._watch is not None:
            self._watch.stop()
        self._watch = FileWatch(self, self.file.path, self._disk_changed) if self.file else None

    def _disk_changed(self) -> None:
        name = self.file.path.name
        try:
            file = read_source(self.file.path)
        except UnreadableFile as exc:
            self.notify(f"{name} changed on disk, and cannot be read now: {exc}", severity="warning")
            return
        if file.text == self.saved_text:
            return
        if not self.modified:
            self._take_from_disk(file, f"{name} changed on disk: reloaded and run.")
            return
        mine = self.workspace.source

        def answer(take_disk: bool | None) -> None:
            if take_disk:
                try:
                    kept = keep_copy(self.file.path, mine)
                except OSError as exc:
                    self.notify(f"Could not keep a copy of your version ({exc.strerror or exc}), so "
                                "it stays in the editor.", severity="error")
                    take_disk = False
                else:
                    self._take_from_disk(file, f"Took {name} from disk. Your version is kept as {kept}.")
            if not take_disk:
                self.saved_text = file.text  # the buffer is now modified against the new disk text
                self._show_file_bar()
                self.notify("Kept your version. ctrl+s saves it over the one on disk.")

        self.app.push_screen(
            ConfirmScreen(f"{name} changed on disk, and you have unsaved changes here.\n"
                          "Which do you keep? (The other is kept too: nothing is lost.)",
                          "The file on disk", "Mine"),
            answer,
        )

    def _take_from_disk(self, file: SourceFile, note: str) -> None:
        editor = self.workspace.editor
        row, column = editor.cursor_location
        self.file, self.saved_text = file, file.text
        self.workspace.set_source(file.text)
        row = min(row, editor.document.line_count - 1)
        editor.cursor_location = (row, min(column, len(editor.document.get_line(row))))
        self.workspace.run_now()  # at once: the learner saved in their editor to see the result
        self._show_file_bar()
        self.notify(note)

    # ------------------------------------------------------------------ autosave and recovery

    def _offer_draft(self, undecided: bool = True) -> None:
        """Offer back the text a crash or quit left unsaved: first a draft the learner put off
        deciding on (esc) last time, then the newest autosave."""
        path = self.file.path if self.file else None
        try:
            draft = load_draft(path, undecided)
        except DraftUnreadable as exc:
            self.notify(str(exc), severity="error", timeout=15)
            draft = None
        if draft is not None and draft.text == self.workspace.source:
            remove_draft(path, undecided)
            draft = None
        if draft is None:
            if undecided:
                self._offer_draft(undecided=False)
            return
        when = time.strftime("%H:%M on %d %b", time.localtime(draft.saved_at))
        name = self.file.path.name if self.file else "the scratch buffer"

        def answer(restore: bool | None) -> None:
            if restore:
                self.workspace.set_source(draft.text)
                self.notify(f"Restored the unsaved text of {name}.")
                if undecided:
                    remove_draft(path, undecided)
            elif restore is False:
                remove_draft(path, undecided)
            else:  # esc: not decided; the draft waits, and the next launch asks again
                if not undecided:
                    try:
                        keep_undecided(path)
                    except OSError as exc:
                        self.notify(f"Could not set the draft aside ({exc.strerror or exc}): the "
                                    "next autosave may replace it.", severity="error")
                self.notify(f"The unsaved text of {name} is kept: modbox asks again next time.")
            if undecided:
                self._offer_draft(undecided=False)

        self.app.push_screen(
            ConfirmScreen(
                f"{name if self.file else 'The scratch buffer'} has unsaved text from {when}, kept "
                "when modbox last closed.\n"
                "Restore it? (esc: decide next time)",
                "Restore", "Discard",
            ),
            answer,
        )

    @on(TextArea.Changed, "#editor")
    def _changed(self, event: TextArea.Changed) -> None:
        self._version += 1
        self._show_file_bar()
        if self._autosave_timer is None:
            self._autosave_timer = self.set_timer(INTERVAL, self._autosave)

    def _autosave(self) -> None:
        self._autosave_timer = None
        text = self.workspace.source
        if text == self.saved_text:
            self._discard_draft(self.writer)
        else:
            self._write_draft(self.writer, text, self._version)

    class DraftWritten(Message):
        """A draft write finished (or failed): the file bar says which."""

    @work(thread=True, group="autosave")
    def _write_draft(self, writer: DraftWriter, text: str, version: int) -> None:
        writer.write(text, version)
        # a message, not call_from_thread: a screen closed meanwhile (on quit) drops it quietly
        self.post_message(self.DraftWritten())

    @on(DraftWritten)
    def _draft_written(self) -> None:
        if self.writer.last_error:
            self.notify(self.writer.last_error, severity="error")
        self._show_file_bar()

    @work(thread=True, group="autosave")
    def _discard_draft(self, writer: DraftWriter) -> None:
        writer.discard()

    def flush_draft(self) -> None:
        """Write the newest text now (on quit): nothing typed is lost."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        text = self.workspace.source
        if text == self.saved_text:
            self.writer.discard()
        elif self._version:
            self.writer.write(text, self._version)

    # ------------------------------------------------------------------ files

    @property
    def modified(self) -> bool:
        return self.workspace.source != self.saved_text

    def _show_file_bar(self) -> None:
        name = _shown_path(self.file.path) if self.file else "scratch buffer (ctrl+s saves it to a file)"
        text = Text.assemble((name, "bold"))
        if self.modified and self.file is not None:
            text.append("  ● modified", style="yellow")
            if self.writer.last_error:
                text.append(f" (not autosaved: {self.writer.last_error.removeprefix('autosave failed: ')})",
                            style="bold red")
            elif self.writer.written == self._version:
                text.append(" (autosaved)", style="yellow")
        self.query_one("#file-bar", Static).update(text)

    def ask_before_quit(self, quit_now) -> None:
        """Ask whether to save before quitting; ``quit_now()`` quits (the draft is kept)."""
        name = self.file.path.name if self.file else "The scratch buffer"

        def saved_then_quit() -> None:
            if not self.modified:
                quit_now()

        def answer(save: bool | None) -> None:
            if save is False:
                quit_now()
            elif save and self.file is not None:
                self._save()
                saved_then_quit()
            elif save:
                self.app.push_screen(AskScreen("Save as", "file name, e.g. model.py", "model.py"),
                                     lambda path: (self._save_as(path), saved_then_quit()))

        self.app.push_screen(
            ConfirmScreen(
                f"{name} has unsaved changes. Save them before quitting?\n"
                "(Quitting without saving keeps them as a draft that modbox offers back next "
                "time. esc: stay; ctrl+q again: quit.)",
                "Save and quit" if self.file else "Save as… and quit", "Quit without saving",
            ),
            answer,
        )

    def action_save(self) -> None:
        if self.file is None:
            self.app.push_screen(AskScreen("Save as", "file name, e.g. model.py", "model.py"), self._save_as)
        else:
            self._save()

    def _save_as(self, answer: str | None) -> None:
        if not answer or not answer.strip():
            return
        path = (Path.cwd() / Path(answer.strip()).expanduser()).absolute()
        if path.exists():
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._bind_to(path)
                    self._save()

            self.app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", "Replace", "Cancel"), confirmed)
            return
        self._bind_to(path)
        self._save()

    def _bind_to(self, path: Path) -> None:
        old = self.writer
        self.file = SourceFile(path=path, text="")
        self.writer = DraftWriter(path)
        old.discard()
        self.workspace.filename = path.name
        self._watch_file()

    def _save(self) -> None:
        assert self.file is not None
        text = self.workspace.source
        try:
            write_source(self.file, text)
        except OSError as exc:
            self.notify(
                f"Could not save {self.file.path}: {exc.strerror or exc}. Your text is still here and "
                "autosaved; free some space or fix the permissions, then ctrl+s again.",
                severity="error",
                timeout=10,
            )
            return
        self.saved_text = text
        if self._watch is not None:
            self._watch.seen()
        self.writer.discard()
        self._show_file_bar()
        self.notify(f"Saved {self.file.path.name}.")

    def action_open(self) -> None:
        # imported when asked for, as the template chooser is: the first frame shows neither
        from modbox.ui.screens.open_file import OpenFileScreen

        start = self.file.path.parent if self.file else Path.cwd()
        self.app.push_screen(OpenFileScreen(start), self._open)

    def _open(self, path: Path | None) -> None:
        if path is None:
            return
        if not path.exists():
            self.notify(f"{path} does not exist.", severity="error")
            return
        try:
            file = read_source(path)
        except UnreadableFile as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self._switch(file, file.text, file.note)

    def action_new(self) -> None:
        from modbox.ui.screens.new_from_template import TemplateScreen

        def chosen(template_id: str | None) -> None:
            if template_id:
                chosen_template = template(template_id)
                self._switch(None, chosen_template.text, f"New buffer from the {chosen_template.title} template.")

        def replace_scratch(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(TemplateScreen(), chosen)

        if self.file is None and self.modified:
            self.app.push_screen(
                ConfirmScreen("The scratch buffer is not saved in a file. Replace it anyway?",
                              "Replace", "Cancel"),
                replace_scratch,
            )
        else:
            self.app.push_screen(TemplateScreen(), chosen)

    def _switch(self, file: SourceFile | None, text: str, note: str) -> None:
        self.flush_draft()
        if self.modified and self.file is not None:
            note = f"{note} Unsaved text of {self.file.path.name} is kept as a draft: open it again to get it back."
        self.file = file
        self.writer = DraftWriter(file.path if file else None)
        if file is None:
            self.writer.discard()  # the learner chose to replace the old scratch text
        self.saved_text = text
        self._version = 0
        self.workspace.filename = file.path.name if file else "scratch.py"
        self.workspace.editor.error_line = None
        self.workspace.set_source(text)
        self._watch_file()
        self._show_file_bar()
        if note:
            self.notify(note.strip(), timeout=8)
        if file is not None:
            self._offer_draft()
