"""The lesson screen: the step's prose beside a Workspace holding the learner's draft, and the
checks list ticking ✓ / ✗ from every run.

Keys are letters when the editor does not have the focus (tab or esc leaves it) and alt+letter
everywhere: n / p step, a predict, h hint, s solution, x reset, l back to the lessons.

Runs: the draft runs in the Workspace (live, debounced), but not while a prediction it could
give away is unanswered (the current step's, or one asked before the first task): the Workspace
is held until then. A prediction's ``observe`` program and the myth's code run in the same
sandbox, one at a time with the draft's runs.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TextArea

from modbox.lessons import checks
from modbox.lessons.model import Catalog, Lesson
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession, Reveal, sandbox_limits
from modbox.report import Error, Report
from modbox import storage
from modbox.storage import atomic_write_text, data_dir
from modbox.ui.autosave import keep_copy
from modbox.ui.engine import Engine
from modbox.ui.file_watch import FileWatch
from modbox.ui.narrow import NarrowLayout
from modbox.ui.widgets.dialogs import ConfirmScreen
from modbox.ui.screens.lesson_solution import SolutionScreen
from modbox.ui.screens.prediction import PredictionScreen
from modbox.ui.widgets.footer import Footer
from modbox.ui.widgets.lesson_checks import LessonChecks
from modbox.ui.widgets.lesson_prose import LessonProse, MythRun, step_markdown
from modbox.ui.workspace import Workspace

DRAFT_DELAY = 0.5  # seconds of quiet typing before the draft is saved


def lesson_draft_file(lesson_id: str) -> Path:
    return data_dir() / "lessons" / lesson_id / "main.py"


class LessonWorkspace(Workspace):
    """A Workspace whose runs wait while ``hold(asked)`` says so (an open prediction, or another
    run of the lesson in the sandbox; ``asked``: the learner asked for this run, ctrl+r);
    ``release()`` then runs what was held back."""

    def __init__(self, *args, hold, **kwargs):
        super().__init__(*args, **kwargs)
        self._hold = hold
        self._asked = False
        self.held: bool | None = None  # None: nothing held; else whether the held run is live

    def action_run(self) -> None:
        self._asked = True
        try:
            super().action_run()
        finally:
            self._asked = False

    def run_now(self, *, live: bool = False) -> None:
        if self._hold(self._asked):
            self.held = live if self.held is None else (self.held and live)
            self.status_line.say(Text("your code runs once the questions ahead are answered", style="yellow"))
            return
        self.held = None
        super().run_now(live=live)

    def release(self) -> None:
        if self.held is not None:
            self.run_now(live=self.held)
        else:
            self.status_line.show_state()


def lesson_keys(key: str, action: str, description: str, name: str, shown: bool = True) -> list[Binding]:
    """A letter that works outside the editor, and alt+letter that works everywhere (the editor
    types no alt+key): the footer names alt+letter, true wherever the focus is. ``shown``: in the
    footer (the others are in the help, F1, and the palette)."""
    return [
        Binding(key, action, description, show=False, id=f"lesson.{name}"),
        Binding(f"alt+{key}", action, description, show=shown, id=f"lesson.{name}.alt"),
    ]


class LessonScreen(NarrowLayout):
    VIEWS = ("lesson", "code", "panes")
    WIDE = 170  # below, the panes take the lesson text's place when shown (f8)
    view = "lesson"

    BINDINGS = [
        *lesson_keys("n", "next", "Next", "next"),
        *lesson_keys("p", "prev", "Previous", "prev", shown=False),
        *lesson_keys("a", "predict", "Predict", "predict"),
        *lesson_keys("h", "hint", "Hint", "hint"),
        *lesson_keys("s", "solution", "Solution", "solution"),
        *lesson_keys("x", "reset", "Reset lesson", "reset", shown=False),
        *lesson_keys("l", "menu", "Lessons", "menu", shown=False),
    ]

    def __init__(self, engine: Engine, catalog: Catalog, store: ProgressStore, lesson: Lesson):
        super().__init__()
        self.engine = engine
        self.catalog = catalog
        self.store = store
        self.lesson = lesson
        # the place to resume is saved through _save: a disk that refuses must not stop the lesson
        self.session = LessonSession(lesson, store, resume_here=False)
        self._saving_failed = False
        self._remember_lesson()
        self.limits = sandbox_limits(lesson)
        self.timeout = lesson.limits.wall  # live runs too get the lesson's own wall clock
        self._side_runs = 0
        self._draft_timer = None
        self._saved_draft = self.session.draft
        self._results = None
        self.checked_report: Report | None = None  # the run the checks list shows
        self._solved = self.session.solved
        self.last_reveal: Reveal | None = None
        self._myth_run: MythRun | None = None
        self._ask_when_shown = False

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-header")
        with Horizontal(id="lesson-main"):
            with Vertical(id="lesson-side"):
                yield LessonProse(id="lesson-prose")
                yield LessonChecks(id="lesson-checks")
            yield LessonWorkspace(
                self.engine,
                self.session.draft,
                filename="main.py",
                limits=self.limits,
                timeout=self.timeout,
                live_timeout=self.timeout or 2.0,
                evaluate=self.session.expressions,
                hold=self._hold,
                id="workspace",
            )
        yield Footer()

    @property
    def workspace(self) -> LessonWorkspace:
        return self.query_one(LessonWorkspace)

    # ------------------------------------------------------------------ keys

    @property
    def typing(self) -> bool:
        """Whether the focus is where letters type (the editor): then alt+letter is the key."""
        return isinstance(self.focused, (TextArea, Input))

    def key(self, letter: str) -> str:
        """How to press a lesson key where the focus is now: ``s`` or ``alt+s``."""
        return f"alt+{letter}" if self.typing else letter

    def on_descendant_focus(self) -> None:
        self._show_checks()  # its "solved!" line names keys

    def on_descendant_blur(self) -> None:
        self._show_checks()

    def on_mount(self) -> None:
        if self.lesson.torch_problem:
            self.notify(f"{self.lesson.torch_problem}: some of what this lesson says may not hold "
                        "for your torch.", severity="warning", timeout=10)
        self._show_checks()
        self.show_step()
        self._write_draft_file()
        self._draft_watch = FileWatch(self, self.draft_file, self._draft_file_changed)

    # ------------------------------------------------------------------ saving

    @property
    def draft_file(self) -> Path:
        """The draft as a file, for the learner's own editor: what is written there shows here
        (and runs) within half a second, and what is typed here is written there."""
        return lesson_draft_file(self.lesson.id)

    @property
    def files_note(self) -> str:
        """Where this screen's code lives on disk (the help screen says it)."""
        return (f"Your code for this lesson is also the file {self.draft_file}: edit it in any "
                "editor and it shows (and runs) here.")

    def _write_draft_file(self) -> None:
        try:
            atomic_write_text(self.draft_file, self.workspace.source)
        except OSError:
            return  # the draft is in the progress file too; the file is a convenience
        if getattr(self, "_draft_watch", None) is not None:
            self._draft_watch.seen()

    def _draft_file_changed(self) -> None:
        try:
            text = storage.read_text(self.draft_file).replace("\r\n", "\n")
        except (OSError, storage.NotText) as exc:
            why = exc if isinstance(exc, storage.NotText) else exc.strerror or exc
            self.notify(f"{self.draft_file.name} changed, and cannot be read now ({why}). "
                        "Your text here is kept.", severity="warning")
            return
        mine = self.workspace.source
        if text == mine:
            return
        if mine == self._saved_draft:  # nothing typed here since the last save: take it
            self._take_draft(text, f"{self.draft_file.name} changed on disk: reloaded and run.")
            return

        def answer(take_file: bool | None) -> None:
            if take_file:
                try:
                    kept = keep_copy(self.draft_file, mine)
                except OSError as exc:
                    self.notify(f"Could not keep a copy of your version ({exc.strerror or exc}), so "
                                "it stays in the editor.", severity="error")
                    return
                self._take_draft(text, f"Took the file's version. Yours is kept as {kept}.")
            else:
                self.flush_draft()
                self._write_draft_file()

        self.app.push_screen(
            ConfirmScreen(f"{self.draft_file.name} changed on disk, and you have changes here "
                          "that are not in it.\nWhich do you keep? (The other is kept too.)",
                          "The file", "Mine"),
            answer,
        )

    def _take_draft(self, text: str, note: str) -> None:
        self.workspace.set_source(text)
        self.flush_draft()
        self.workspace.run_now()
        self.notify(note)

    def _save(self, change, what: str):
        """``change()`` (which writes progress), or None after telling the learner, once, that
        the disk refused: the lesson goes on."""
        try:
            result = change()
            return True if result is None else result
        except OSError as exc:
            if not self._saving_failed:
                self._saving_failed = True
                self.notify(f"Could not save {what} ({exc.strerror or exc}): your work stays here "
                            "while modbox runs, but will not survive a restart.",
                            severity="error", timeout=10)
            return None

    def _remember_lesson(self) -> None:
        self._save(lambda: self.store.set_last_lesson(self.lesson.id), "your place")

    @on(TextArea.Changed, "#editor")
    def _typed(self, event: TextArea.Changed) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.flush_draft)

    def flush_draft(self) -> None:
        """Save the editor's text as the draft now, if it changed (also on leaving and quitting)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        text = self.workspace.source
        if text != self._saved_draft and self._save(lambda: setattr(self.session, "draft", text), "your code"):
            self._saved_draft = text
            self._write_draft_file()

    # ------------------------------------------------------------------ steps

    def show_header(self) -> None:
        session, step = self.session, self.session.step
        index, total = session.step_index + 1, len(self.lesson.steps)
        header = Text()
        header.append(self.lesson.title, style="bold")
        header.append(f"   step {index} of {total}: {step.title}")
        if session.solved:
            header.append("   ✓ solved", style="bold green")
        header.append("   in the editor, hold alt: alt+n, alt+h, …", style="dim")
        self.query_one("#lesson-header", Static).update(header)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "predict":  # offered only where there is something to predict
            return self.session.step.prediction is not None
        return super().check_action(action, parameters)

    def show_step(self, scroll: str = "home") -> None:
        session, step = self.session, self.session.step
        self.refresh_bindings()
        self.show_header()
        self._refresh_prose(scroll)
        self.query_one(LessonChecks).display = bool(step.task) or session.solved
        if step.myth and self.lesson.myth is not None and self._myth_run is None:
            self._myth_run = MythRun(None)
            self.run_worker(self._run_myth(), group="lesson-myth")
        if session.pending_prediction is not None:
            self._ask_when_shown = True
            self.call_after_refresh(self._ask_on_arrival)
        elif step.task and self.shows("code"):
            self.workspace.editor.focus()
        else:
            self.query_one(LessonProse).focus()

    def _refresh_prose(self, scroll: str = "keep") -> None:
        myth_run = self._myth_run if self.session.step.myth else None
        self.query_one(LessonProse).show(step_markdown(self.session, self.last_reveal, myth_run), scroll=scroll)

    def _ask_on_arrival(self) -> None:
        """Ask the step's prediction once on arriving, or as soon as this screen is on top
        (a review round may be in front of it); closing it leaves it to the learner (a)."""
        if self._ask_when_shown and self.app.screen is self:
            self._ask_when_shown = False
            if self.session.pending_prediction is not None:
                self.action_predict()

    def on_screen_resume(self) -> None:
        self._ask_on_arrival()

    def action_next(self) -> None:
        if self.session.pending_prediction is not None:
            self.notify("Make your prediction first: it is the point of this step.")
            self.action_predict()
            return
        self.flush_draft()
        if not self.session.is_last_step:
            if self._save(self.session.next, "your place"):
                self.last_reveal = None
                self.show_step()
        elif self.session.solved:
            self._lesson_complete()
        else:
            self.app.push_screen(
                ConfirmScreen("The task is not solved yet: the checks list shows what is left.\n"
                              "Go to the next lesson anyway?", "Next lesson", "Stay"),
                lambda yes: self._next_lesson() if yes else None,
            )

    def action_prev(self) -> None:
        if self.session.step_index == 0:
            self.notify("This is the first step.")
            return
        self.flush_draft()
        if self._save(self.session.prev, "your place"):
            self.last_reveal = None
            self.show_step()

    def _lesson_complete(self) -> None:
        """Say the lesson is done before the next one starts (its first question would
        otherwise open at once, as if this lesson had gone on)."""
        following = self._following()
        then = (f"Next: “{following.title}”." if following is not None
                else "It was the last lesson: well done!")
        self.app.push_screen(
            ConfirmScreen(f"✓ Lesson complete: “{self.lesson.title}”.\n{then}",
                          "Next lesson" if following is not None else "Back to the lessons", "Stay here"),
            lambda go: self._next_lesson() if go else None,
        )

    def _following(self) -> Lesson | None:
        lessons = self.catalog.lessons
        index = next(i for i, lesson in enumerate(lessons) if lesson.id == self.lesson.id)
        return lessons[index + 1] if index + 1 < len(lessons) else None

    def _next_lesson(self) -> None:
        following = self._following()
        if following is not None:
            self.app.switch_screen(LessonScreen(self.engine, self.catalog, self.store, following))
        else:
            self.notify("That was the last lesson. Well done! Experiment freely from the menu (e).", timeout=10)
            self.app.pop_screen()

    def action_menu(self) -> None:
        self.flush_draft()
        self.app.pop_screen()

    # ------------------------------------------------------------------ predictions and the myth

    def _hold(self, asked: bool) -> bool:
        if self._side_runs:
            return True
        waiting = self.unanswered_ahead()
        if waiting is None:
            return False
        if asked:
            if waiting == self.session.step.prediction:
                self.notify("Make your prediction first: the run would give the answer away.")
                self.action_predict()
            else:
                self.notify("Your code runs once you have answered the questions coming up: a run "
                            f"now would give their answers away. Press {self.key('n')} to go on.")
        return True

    def unanswered_ahead(self) -> str | None:
        """The id of a prediction a run of the draft could give away: the current step's, or
        one asked between here and the lesson's first task, while unanswered."""
        steps = self.lesson.steps
        here = self.session.step_index
        first_task = next((i for i, step in enumerate(steps) if step.task), len(steps) - 1)
        answered = self.session.progress.predictions
        for step in steps[here:max(here, first_task) + 1]:
            if step.prediction and step.prediction not in answered:
                return step.prediction
        return None

    def action_predict(self) -> None:
        prediction_id = self.session.step.prediction
        if prediction_id is None:
            self.notify("This step has no prediction.")
            return
        if self.app.screen is not self:
            return
        prediction = self.lesson.prediction(prediction_id)
        self.app.push_screen(
            PredictionScreen(self.session, prediction, self.side_run,
                             rerun=self.session.answered(prediction_id)),
            self._predicted,
        )

    def _predicted(self, reveal: Reveal | None) -> None:
        if reveal is not None:
            self.last_reveal = reveal
            self._refresh_prose(scroll="end")
        if self.session.step.task:
            self.workspace.editor.focus()

    async def side_run(self, source: str) -> Report:
        """Run a lesson program (an observe, the myth) in the sandbox, after the draft's run in
        flight and before the next (one sandbox serves both, and a newer run replaces an older)."""
        self._side_runs += 1
        try:
            await self.workspace.run_settled()
            return await self.engine.run(source, filename="experiment.py", timeout=self.timeout,
                                         limits=self.limits)
        finally:
            self._side_runs -= 1
            if not self._side_runs:
                self.workspace.release()

    async def _run_myth(self) -> None:
        try:
            report = await self.side_run(self.lesson.myth.code)
        except Exception as exc:  # the sandbox failed: say so where the output would be
            report = Report(ok=False, error=Error(kind="sandbox", message=str(exc) or type(exc).__name__))
        self._myth_run = MythRun(report)
        if self.session.step.myth:
            self._refresh_prose()

    # ------------------------------------------------------------------ checks, hints, solution

    @on(Workspace.ReportArrived)
    def _report_arrived(self, event: Workspace.ReportArrived) -> None:
        results = self._save(lambda: self.session.evaluate(event.report), "your progress")
        self._results = results if results is not None else checks.evaluate(
            self.lesson.checks, event.report, self.lesson.overrides)
        self.checked_report = event.report
        if all(r.passed for r in self._results) and not self._solved:
            self._solved = True
            self.query_one(LessonChecks).display = True
            self.notify(f"All checks pass: you solved this lesson! {self.key('s')} shows the reference "
                        f"solution beside your code; {self.key('n')} moves on when you are ready.",
                        timeout=10)
            self.show_header()
        self._show_checks()

    def _show_checks(self) -> None:
        self.query_one(LessonChecks).show(self.lesson.checks, self._results, self._solved,
                                          keys=(self.key("s"), self.key("n")))

    def action_hint(self) -> None:
        session = self.session
        if not session.has_more_hints:
            self.notify(f"That was the last hint. {self.key('s')} shows the reference solution.")
            return
        if session.fix_hint_needs_confirmation:
            self.app.push_screen(
                ConfirmScreen("The last hint is the fix itself. Try the earlier hints once more first?\n"
                              "Show the fix?", "Show the fix", "Not yet"),
                lambda yes: self._hint(confirmed=True) if yes else None,
            )
        else:
            self._hint(confirmed=False)

    def _hint(self, confirmed: bool) -> None:
        if self._save(lambda: self.session.next_hint(confirmed=confirmed), "the hint") is not None:
            self._refresh_prose(scroll="end")

    def action_solution(self) -> None:
        if self.session.solution is not None:
            self._show_solution()
            return
        self.app.push_screen(
            ConfirmScreen("The checks do not pass yet. See the reference solution anyway?\n"
                          "(A hint, h, often teaches more.)", "Show me", "Not yet"),
            lambda yes: self._show_solution(confirmed=True) if yes else None,
        )

    def _show_solution(self, confirmed: bool = False) -> None:
        solution = self._save(lambda: self.session.show_solution(confirmed=confirmed), "your progress")
        self.flush_draft()
        self.app.push_screen(SolutionScreen(self.lesson.title, self.workspace.source,
                                            solution or self.lesson.solution))

    def action_reset(self) -> None:
        def reset(yes: bool | None) -> None:
            if not yes:
                return
            self._save(self.session.reset, "the reset")
            self.workspace.forget_runs()  # a run of the old draft (waiting for the worker, say)
            self._saved_draft = self.lesson.starter
            self._results, self._solved = None, False
            self.last_reveal, self._myth_run = None, None
            self.workspace.set_source(self.lesson.starter)
            self._write_draft_file()
            self._show_checks()
            self.show_step()
            self.notify(f"“{self.lesson.title}” starts afresh.")

        self.app.push_screen(
            ConfirmScreen(f"Start “{self.lesson.title}” again? Your code, answers and hints for "
                          "this lesson are forgotten.", "Reset the lesson", "Cancel"),
            reset,
        )
