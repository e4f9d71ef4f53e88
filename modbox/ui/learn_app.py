"""The app as ``modbox`` and ``modbox learn [ID]`` open it: the lesson menu first (and the lesson
asked for on top of it), after a review round when earlier predictions are due again."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from textual.app import SystemCommand
from textual.screen import Screen

from modbox.lessons.model import Catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import review_round
from modbox.ui.app import ModboxApp
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.lesson_menu import LessonMenuScreen
from modbox.ui.screens.review import ReviewScreen

if TYPE_CHECKING:
    from modbox.sandbox.host.api import SandboxConnection


class LearnApp(ModboxApp):
    CSS_PATH = [ModboxApp.CSS_PATH, Path(__file__).with_name("lesson.tcss")]

    def __init__(
        self,
        catalog: Catalog,
        store: ProgressStore | None = None,
        lesson_id: str | None = None,
        *,
        sandbox_factory: Callable[[], SandboxConnection] | None = None,
        theme: str | None = None,
    ):
        super().__init__(sandbox_factory=sandbox_factory, theme=theme)
        self.catalog = catalog
        self.store = store or ProgressStore()
        self.lesson_id = lesson_id

    def get_default_screen(self) -> Screen:
        return LessonMenuScreen(self.engine, self.catalog, self.store)

    def open_screens_on_top(self) -> None:
        """The lesson asked for over the menu, and a review round over all."""
        questions = review_round(self.catalog, self.store)  # reading it finds a damaged file
        if self.store.problem:
            self.notify(self.store.problem, severity="warning", timeout=15)
        if self.lesson_id is not None:
            self._open_asked_lesson()
        if questions:
            self.push_screen(ReviewScreen(self.engine, questions))

    def _open_asked_lesson(self) -> None:
        lesson = self.catalog.get(self.lesson_id)
        if lesson is not None:
            self.push_screen(LessonScreen(self.engine, self.catalog, self.store, lesson))
            return
        broken = next((b for b in self.catalog.broken if self.lesson_id in (b.id, b.path.name)), None)
        if broken is not None:
            self.notify(f"The lesson {self.lesson_id!r} is broken and cannot be opened; the menu shows "
                        "why. The other lessons work.", severity="error", timeout=15)
        else:
            known = ", ".join(lesson.id for lesson in self.catalog.lessons) or "none"
            self.notify(f"There is no lesson {self.lesson_id!r}. Lessons: {known}.",
                        severity="error", timeout=15)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, LessonScreen):
            for title, help_text, action in (
                ("Lesson: next step", "Go on (n, alt+n)", screen.action_next),
                ("Lesson: previous step", "Go back (p, alt+p)", screen.action_prev),
                ("Lesson: predict", "Answer this step's question (a, alt+a)", screen.action_predict),
                ("Lesson: hint", "The next hint (h, alt+h)", screen.action_hint),
                ("Lesson: solution", "The reference solution beside your code (s, alt+s)",
                 screen.action_solution),
                ("Lesson: reset", "Start this lesson again (x, alt+x)", screen.action_reset),
                ("Lessons", "Back to the lesson menu (l, alt+l)", screen.action_menu),
            ):
                yield SystemCommand(title, help_text, action)

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, LessonScreen):
                screen.flush_draft()
        await super().action_quit()
