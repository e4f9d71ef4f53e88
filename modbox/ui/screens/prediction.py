"""The prediction modal: the question, a choice (1-9 or arrows), a confidence (1-3), then the run
of the prediction's ``observe`` program in the sandbox and the reveal.

The same modal asks a lesson step's prediction and a review-round question: both go through a
``LessonSession`` (``answer``, ``observe_source``, ``reveal``). It dismisses with the ``Reveal``,
or None when the learner closed it before answering (the prediction stays open then).
"""

from __future__ import annotations

from typing import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from modbox.lessons.model import Prediction
from modbox.lessons.session import LessonSession, Reveal
from modbox.report import Error, Report
from modbox.ui.narrow import NARROW_BREAKPOINTS
from modbox.ui.widgets.lesson_prose import CONFIDENCE
from modbox.ui.widgets.lesson_text import fence, inline, without_verdict

Runner = Callable[[str], Awaitable[Report]]


class PredictionScreen(ModalScreen[Reveal | None]):
    HORIZONTAL_BREAKPOINTS = NARROW_BREAKPOINTS
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", f"Choice {n}", show=False, id=f"prediction.pick_{n}")
          for n in range(1, 10)),
        Binding("escape", "back", "Back / close", id="prediction.back"),
        Binding("enter", "close", "Close the answer", show=False, id="prediction.close"),
    ]

    def __init__(self, session: LessonSession, prediction: Prediction, run: Runner, *,
                 title: str = "Predict before you run", rerun: bool = False):
        """``rerun``: the prediction is already answered; run the experiment and reveal again."""
        super().__init__()
        self.session = session
        self.prediction = prediction
        self.run_observe = run
        self.title_text = title
        self.phase = "choice"  # choice -> confidence -> running -> reveal
        self.choice_id: str | None = None
        self.reveal: Reveal | None = None
        self._rerun = rerun

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall", id="prediction"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="prediction-body"):
                yield Markdown(self.prediction.question.strip(), id="prediction-question")
                yield OptionList(
                    *(Option(Text.assemble((f"{n}  ", "bold"), inline(c.text)), id=c.id)
                      for n, c in enumerate(self.prediction.choices, 1)),
                    id="prediction-choices",
                )
                yield OptionList(
                    *(Option(Text.assemble((f"{n}  ", "bold"), CONFIDENCE[n]), id=str(n)) for n in (1, 2, 3)),
                    id="prediction-confidence",
                )
                yield Static(id="prediction-verdict")
                yield Markdown(id="prediction-reveal")
            yield Static(id="prediction-keys")

    def on_mount(self) -> None:
        if self._rerun:
            self._start_run()
        else:
            self._show_phase("choice")

    def _show_phase(self, phase: str) -> None:
        self.phase = phase
        choices = self.query_one("#prediction-choices", OptionList)
        confidence = self.query_one("#prediction-confidence", OptionList)
        choices.display = phase in ("choice", "confidence")
        choices.disabled = phase != "choice"
        confidence.display = phase == "confidence"
        self.query_one("#prediction-verdict").display = phase in ("running", "reveal")
        self.query_one("#prediction-reveal").display = phase == "reveal"
        keys = {
            "choice": "1-9 or ↑ ↓ and enter: your answer · esc: answer later",
            "confidence": "How sure are you? 1 guessing · 2 fairly sure · 3 certain · esc: back",
            "running": "running the experiment in the sandbox…",
            "reveal": "enter or esc: close",
        }[phase]
        self.query_one("#prediction-keys", Static).update(Text(keys, style="dim"))
        if phase == "choice":
            # the question first: focusing the choices must not scroll its start out of view
            choices.focus(scroll_visible=False)
            self.query_one("#prediction-body").scroll_home(animate=False)
        elif phase == "confidence":
            confidence.highlighted = 1
            confidence.focus()
        elif phase == "running":
            self.query_one("#prediction-verdict", Static).update(
                Text("Running the experiment…", style="bold yellow"))

    # ------------------------------------------------------------------ choosing

    def action_pick(self, n: int) -> None:
        if self.phase == "choice" and n <= len(self.prediction.choices):
            self._chose(self.prediction.choices[n - 1].id)
        elif self.phase == "confidence" and n <= 3:
            self._confident(n)

    @on(OptionList.OptionSelected, "#prediction-choices")
    def _choice_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._chose(event.option.id)

    @on(OptionList.OptionSelected, "#prediction-confidence")
    def _confidence_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._confident(int(event.option.id))

    def _chose(self, choice_id: str) -> None:
        self.choice_id = choice_id
        choices = self.query_one("#prediction-choices", OptionList)
        choices.highlighted = next(i for i, c in enumerate(self.prediction.choices) if c.id == choice_id)
        self._show_phase("confidence")

    def _confident(self, confidence: int) -> None:
        try:
            self.session.answer(self.prediction.id, self.choice_id, confidence)
        except OSError as exc:
            self.notify(f"Your answer could not be saved ({exc.strerror or exc}); it counts for now.",
                        severity="warning")
        self._start_run()

    def action_back(self) -> None:
        if self.phase == "choice":
            self.dismiss(None)
        elif self.phase == "confidence":
            self._show_phase("choice")
        elif self.phase == "reveal":
            self.dismiss(self.reveal)

    def action_close(self) -> None:
        if self.phase == "reveal":
            self.dismiss(self.reveal)

    # ------------------------------------------------------------------ the experiment

    def _start_run(self) -> None:
        self._show_phase("running")
        self.run_worker(self._observe(), exclusive=True, group="prediction-observe")

    async def _observe(self) -> None:
        source = self.session.observe_source(self.prediction.id)
        try:
            report = await self.run_observe(source)
        except Exception as exc:  # the sandbox failed: the lesson's marked answer stands in
            report = Report(ok=False, error=Error(kind="sandbox", message=str(exc) or type(exc).__name__))
        self.reveal = self.session.reveal(self.prediction.id, report)
        if self.reveal.unsaved:
            self.notify(f"The result could not be saved ({self.reveal.unsaved}); it counts for now.",
                        severity="warning")
        self._show_reveal(self.reveal)

    def _show_reveal(self, reveal: Reveal) -> None:
        verdict = Text()
        if reveal.correct:
            verdict.append("✓ Right!", style="bold green")
        else:
            verdict.append("✗ Not quite.", style="bold red")
            if reveal.confident_mistake:
                verdict.append("  You were certain: this is the one worth a careful read.", style="bold yellow")
        verdict.append("\nYou chose: ")
        verdict.append_text(inline(reveal.choice.text))
        verdict.append(f" ({CONFIDENCE.get(reveal.confidence, '?')})", style="dim")
        verdict.append("\nThe run shows: ")
        verdict.append_text(inline(reveal.correct_choice.text, "bold"))
        self.query_one("#prediction-verdict", Static).update(verdict)
        self.query_one("#prediction-verdict").set_class(reveal.confident_mistake, "-confident-mistake")
        parts = []
        if reveal.output.strip():
            parts.append("**What the experiment printed:**\n\n" + fence(reveal.output))
        parts.append(f"**Why {'it is right' if reveal.correct else 'not'}:** {without_verdict(reveal.explanation)}")
        if not reveal.correct:
            parts.append(f"**Why the run's answer:** {without_verdict(reveal.correct_choice.explanation)}")
            parts.append("*This question comes back in a short review the next time you start modbox.*")
        if reveal.disagreement:
            parts.append(f"*{reveal.disagreement}*")
        if reveal.problem:
            parts.append(f"*The experiment could not decide ({reveal.problem}); the lesson's answer is shown.*")
        self.query_one("#prediction-reveal", Markdown).update("\n\n".join(parts))
        self._show_phase("reveal")
        self.query_one("#prediction-body").focus()
        self.call_after_refresh(self.query_one("#prediction-verdict").scroll_visible, top=True, animate=False)
