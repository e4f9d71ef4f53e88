"""The lesson menu: every lesson in order under its group's heading, with the learner's progress,
broken lessons with their loader messages, and resume where the learner left off."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from modbox.lessons.model import BrokenLesson, Catalog, Lesson
from modbox.lessons.progress import LessonProgress, ProgressStore
from modbox.ui.engine import Engine
from modbox.ui.widgets.dialogs import ConfirmScreen
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.play import PlayScreen
from modbox.ui.widgets.footer import Footer
from modbox.ui.widgets.lesson_text import fence, inline, plain_markdown

MARKS = {"solved": ("✓", "bold green"), "started": ("◐", "bold yellow"), "new": ("·", "dim")}
STATUS_WORDS = {"solved": "solved", "started": "in progress", "new": "not started"}


def lesson_prompt(number: int, lesson: Lesson, progress: LessonProgress, here: bool) -> Text:
    mark, style = MARKS[progress.status]
    text = Text(f" {mark} ", style=style)
    text.append(f"{number:>2}. ")
    text.append(lesson.title, style="bold" if here else "")
    text.append(f"  {STATUS_WORDS[progress.status]}", style="dim")
    if lesson.torch_problem:
        text.append(f"  needs torch {lesson.torch}", style="yellow")
    if here:
        text.append("  ← you were here", style="cyan")
    return text


def broken_prompt(broken: BrokenLesson) -> Text:
    text = Text(" ✗ ", style="bold red")
    text.append(f"    {broken.title or broken.path.name}", style="red")
    text.append("  broken: cannot be opened", style="dim red")
    return text


def lesson_detail(lesson: Lesson, progress: LessonProgress, catalog: Catalog) -> str:
    parts = [f"## {plain_markdown(lesson.title)}"]
    if lesson.summary:
        parts.append(lesson.summary)
    status = STATUS_WORDS[progress.status].capitalize()
    if progress.status == "started":
        index = lesson.step_index(progress.step) if progress.step else None
        step = lesson.steps[index] if index is not None else lesson.steps[0]
        status += f": you are at “{plain_markdown(step.title)}”"
    parts.append(f"**{status}.** Enter opens it.")
    if lesson.torch_problem:
        parts.append(f"*{lesson.torch_problem}: some of what it says may not hold for your torch.*")
    parts.append("**You will be able to:**\n\n" + "\n".join(f"- {o}" for o in lesson.objectives))
    before = [catalog.get(r).title for r in lesson.requires if catalog.get(r)]
    if before:
        parts.append("Comes after: " + ", ".join(before) + ".")
    return "\n\n".join(parts)


def broken_detail(broken: BrokenLesson) -> str:
    name = broken.title or broken.path.name
    return "\n\n".join([
        f"## Broken lesson: {plain_markdown(name)}",
        "This lesson could not be loaded, so it cannot be opened; the other lessons work. "
        "Its author can fix it with `modbox lessons check`. What is wrong:",
        fence("\n".join(broken.errors)),
    ])


class ExperimentScreen(PlayScreen):
    """Play mode opened from the menu, with a way back to it."""

    BINDINGS = [Binding("alt+l", "lessons", "Lessons", id="experiment.lessons")]

    def action_lessons(self) -> None:
        self.flush_draft()
        self.app.pop_screen()


class LessonMenuScreen(Screen):
    BINDINGS = [
        Binding("c", "resume", "Resume", id="menu.resume"),
        Binding("x", "reset_lesson", "Reset lesson", id="menu.reset"),
        Binding("X", "reset_all", "Reset all progress", id="menu.reset_all"),
        Binding("e", "experiment", "Experiment freely", id="menu.play"),
    ]

    def __init__(self, engine: Engine, catalog: Catalog, store: ProgressStore):
        super().__init__()
        self.engine = engine
        self.catalog = catalog
        self.store = store
        self._can_resume = False

    def compose(self) -> ComposeResult:
        yield Static(id="menu-header")
        with Horizontal(id="menu-main"):
            yield OptionList(id="menu-list")
            with VerticalScroll(id="menu-detail"):
                yield Markdown(id="menu-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list(self._resume_target())
        self.query_one("#menu-list").focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_list(self._highlighted_id())

    # ------------------------------------------------------------------ the list

    def _resume_target(self) -> str | None:
        """The lesson to resume: the last one opened, else the first one not solved."""
        last = self.store.last_lesson
        if last and self.catalog.get(last):
            return last
        progress = self.store.all()
        unsolved = [lesson for lesson in self.catalog.lessons
                    if not progress.get(lesson.id, LessonProgress()).solved]
        return unsolved[0].id if unsolved else None

    def refresh_list(self, highlight: str | None) -> None:
        progress = self.store.all()
        last = self.store.last_lesson
        options: list[Option] = []
        number = 0
        for heading, lessons in self.catalog.groups():
            # A heading cannot be highlighted or opened: it only names the section below it.
            options.append(Option(Text(heading, style="bold underline"), id=f"group:{heading}", disabled=True))
            for lesson in lessons:
                number += 1
                options.append(Option(
                    lesson_prompt(number, lesson, progress.get(lesson.id, LessonProgress()), lesson.id == last),
                    id=f"lesson:{lesson.id}"))
        if self.catalog.broken:  # they belong to no group, and cannot be opened
            options.append(Option(Text("Broken", style="bold underline red"), id="group:broken", disabled=True))
        options += [Option(broken_prompt(b), id=f"broken:{i}") for i, b in enumerate(self.catalog.broken)]
        menu = self.query_one("#menu-list", OptionList)
        menu.clear_options()
        menu.add_options(options)
        ids = [o.id for o in options]
        openable = [i for i, option in enumerate(options) if not option.disabled]
        target = f"lesson:{highlight}" if highlight else None
        menu.highlighted = ids.index(target) if target in ids else (openable[0] if openable else None)
        self._show_header(progress)
        self._show_detail()
        self._can_resume = bool(last) or any(p.status != "new" for p in progress.values())
        self.refresh_bindings()

    def _show_header(self, progress: dict[str, LessonProgress]) -> None:
        solved = sum(progress.get(lesson.id, LessonProgress()).solved for lesson in self.catalog.lessons)
        text = Text("modbox lessons", style="bold")
        text.append(f"   {solved} of {len(self.catalog.lessons)} solved", style="green" if solved else "dim")
        if self.catalog.broken:
            text.append(f"   {len(self.catalog.broken)} broken", style="red")
        last = self.catalog.get(self.store.last_lesson or "")
        if last is not None:
            text.append("   c resumes ", style="dim")
            text.append_text(inline(last.title))
        text.append("   enter opens · e experiment freely", style="dim")
        self.query_one("#menu-header", Static).update(text)

    def _highlighted_id(self) -> str | None:
        menu = self.query_one("#menu-list", OptionList)
        if menu.highlighted is None:
            return None
        option_id = menu.get_option_at_index(menu.highlighted).id or ""
        return option_id.removeprefix("lesson:") if option_id.startswith("lesson:") else None

    def _selected(self) -> Lesson | BrokenLesson | None:
        menu = self.query_one("#menu-list", OptionList)
        if menu.highlighted is None:
            return None
        kind, _, key = (menu.get_option_at_index(menu.highlighted).id or "").partition(":")
        if kind == "lesson":
            return self.catalog.get(key)
        return self.catalog.broken[int(key)] if kind == "broken" else None

    @on(OptionList.OptionHighlighted, "#menu-list")
    def _show_detail(self) -> None:
        chosen = self._selected()
        if chosen is None:
            text = "## No lessons here\n\nThe lesson folder holds no lesson folders."
        elif isinstance(chosen, BrokenLesson):
            text = broken_detail(chosen)
        else:
            text = lesson_detail(chosen, self.store.get(chosen.id), self.catalog)
        self.query_one("#menu-detail-text", Markdown).update(text)

    @on(OptionList.OptionSelected, "#menu-list")
    def _open_selected(self) -> None:
        chosen = self._selected()
        if isinstance(chosen, BrokenLesson):
            self.notify("This lesson is broken and cannot be opened; the details are on the right. "
                        "The other lessons work.", severity="warning")
        elif chosen is not None:
            self.open_lesson(chosen)

    def open_lesson(self, lesson: Lesson) -> None:
        self.app.push_screen(LessonScreen(self.engine, self.catalog, self.store, lesson))

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # "Resume" promises a place to go back to: with nothing started there is none
        return self._can_resume if action == "resume" else True

    def action_resume(self) -> None:
        target = self.catalog.get(self._resume_target() or "")
        if target is None:
            self.notify("Every lesson is solved. Pick any to revisit it.")
        else:
            self.open_lesson(target)

    def action_reset_lesson(self) -> None:
        chosen = self._selected()
        if not isinstance(chosen, Lesson):
            return

        def reset(yes: bool | None) -> None:
            if yes and self._write(lambda: self.store.reset(chosen.id)):
                self.notify(f"“{chosen.title}” starts afresh.")
                self.refresh_list(chosen.id)

        self.app.push_screen(ConfirmScreen(
            f"Reset “{chosen.title}”? Your code, answers and hints for it are forgotten.",
            "Reset the lesson", "Cancel"), reset)

    def action_reset_all(self) -> None:
        def reset(yes: bool | None) -> None:
            if yes and self._write(self.store.reset_all):
                self.notify("All progress was reset.")
                self.refresh_list(None)

        self.app.push_screen(ConfirmScreen(
            "Reset ALL progress? Every lesson's code, answers, hints and solved marks are forgotten.",
            "Reset everything", "Cancel"), reset)

    def _write(self, change) -> bool:
        try:
            change()
            return True
        except OSError as exc:
            self.notify(f"Could not change your progress: {exc.strerror or exc}", severity="error")
            return False

    def action_experiment(self) -> None:
        self.app.push_screen(ExperimentScreen(self.engine))
