"""One learner working through one lesson: the API the lesson screens use (no textual, no torch).

A screen owns a ``LessonSession`` and a sandbox. The session says what to show and records what
the learner did; the screen runs code and hands the resulting ``Report`` back::

    session = LessonSession(lesson, store)
    step = session.step                                # prose to show
    p = session.pending_prediction                     # ask it before running anything
    if p:
        session.answer(p.id, "two", confidence=3)
        reveal = session.reveal(p.id, sandbox.run(session.observe_source(p.id)))
    results = session.evaluate(sandbox.run(session.draft, limits=sandbox_limits(lesson),
                                           evaluate=session.expressions))
    session.next_hint()                                # one tier at a time
    session.solution                                   # None until solved or shown on purpose

Everything the learner does is saved at once through the ``ProgressStore`` (keyed by ids), so a
restart resumes at the same step with the same draft, answers, hints and solved state.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modbox.report import Report

if TYPE_CHECKING:
    from modbox.sandbox.limits import Limits

from modbox.lessons import checks
from modbox.lessons.checks import CheckResult
from modbox.lessons.model import Catalog, Choice, Lesson, Prediction, Step
from modbox.lessons.progress import (
    HIGH_CONFIDENCE,
    LessonProgress,
    PredictionRecord,
    ProgressStore,
    ReviewItem,
)
from modbox.lessons.versions import installed_torch


class ConfirmationRequired(Exception):
    """The learner must confirm first (the fix hint, or the solution before solving)."""


class PredictionNotAnswered(Exception):
    """The prediction must be answered before the run that reveals it."""


@dataclass(frozen=True)
class Reveal:
    """What the observe run showed, next to what the learner predicted.

    ``correct_choice`` is the choice the run showed to be true (the lesson's marked choice if
    the run could not decide: then ``problem`` says why). ``disagreement`` is set when the run
    contradicts the choice the lesson file marks as correct: the run wins, and the text says so.
    """

    prediction: Prediction
    choice: Choice  # the learner's
    correct_choice: Choice
    correct: bool
    confidence: int
    output: str  # what the observe run printed, without its last line (the choice id): the evidence
    review: bool  # wrong: it comes back in the review round
    confident_mistake: bool  # wrong with the highest confidence: emphasise the explanation
    disagreement: str | None = None
    problem: str | None = None
    unsaved: str | None = None  # why the outcome could not be saved (it still counts for now)

    @property
    def explanation(self) -> str:
        """Why the learner's own choice is right or wrong."""
        return self.choice.explanation


class LessonSession:
    """State of one lesson for one learner; every change is saved in the progress store."""

    def __init__(self, lesson: Lesson, store: ProgressStore, resume_here: bool = True):
        """``resume_here``: remember this lesson as the one to resume (False for a review round)."""
        self.lesson = lesson
        self.store = store
        self.last_results: list[CheckResult] = []
        if resume_here:
            store.set_last_lesson(lesson.id)

    @property
    def progress(self) -> LessonProgress:
        """This lesson's saved record, as on disk now."""
        return self.store.get(self.lesson.id)

    def _save(self, change) -> LessonProgress:
        return self.store.update(self.lesson.id, change)

    # -- steps

    @property
    def step_index(self) -> int:
        """0-based index of the current step (the saved step id; the first step if it is gone)."""
        saved = self.progress.step
        index = self.lesson.step_index(saved) if saved else None
        return index if index is not None else 0

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.step_index]

    @property
    def is_last_step(self) -> bool:
        return self.step_index == len(self.lesson.steps) - 1

    def next(self) -> bool:
        """Go to the next step. False (and nothing changes) at the last step."""
        return self._go(self.step_index + 1)

    def prev(self) -> bool:
        """Go to the previous step. False at the first step."""
        return self._go(self.step_index - 1)

    def _go(self, index: int) -> bool:
        if not 0 <= index < len(self.lesson.steps):
            return False
        step_id = self.lesson.steps[index].id
        self._save(lambda p: setattr(p, "step", step_id))
        return True

    # -- predictions

    @property
    def pending_prediction(self) -> Prediction | None:
        """The current step's prediction while it is unanswered: ask it before any run."""
        pid = self.step.prediction
        if pid is None or pid in self.progress.predictions:
            return None
        return self.lesson.prediction(pid)

    def answer(self, prediction_id: str, choice_id: str, confidence: int) -> None:
        """Record the learner's choice and confidence (1 guessing, 2 fairly sure, 3 certain).

        Answering again replaces the earlier answer (that is how the review round re-asks).
        Raises ValueError for an unknown prediction or choice, or a confidence outside 1..3.
        """
        prediction = self._prediction(prediction_id)
        if prediction.choice(choice_id) is None:
            raise ValueError(f"prediction {prediction_id!r} has no choice {choice_id!r}")
        if confidence not in (1, 2, 3):
            raise ValueError(f"confidence must be 1, 2 or 3, not {confidence!r}")
        def change(p: LessonProgress) -> None:
            old = p.predictions.get(prediction_id)
            p.predictions[prediction_id] = PredictionRecord(
                choice_id, confidence, review=old.review if old else False, answered_at=time.time())

        self._save(change)

    def answered(self, prediction_id: str) -> bool:
        return prediction_id in self.progress.predictions

    def observe_source(self, prediction_id: str) -> str:
        """The program whose run reveals the answer. Raises PredictionNotAnswered before ``answer``."""
        prediction = self._prediction(prediction_id)
        if not self.answered(prediction_id):
            raise PredictionNotAnswered(f"answer {prediction_id!r} before running what reveals it")
        return prediction.observe

    def reveal(self, prediction_id: str, report: Report) -> Reveal:
        """Judge the recorded answer by the observe run's ``report`` and save the outcome.

        The run's last non-empty line of output is the id of the true choice. A wrong answer
        goes into the review queue; a right one takes it out.
        """
        prediction = self._prediction(prediction_id)
        record = self.progress.predictions.get(prediction_id)
        if record is None or prediction.choice(record.choice) is None:
            raise PredictionNotAnswered(f"answer {prediction_id!r} before revealing it")
        observed, problem = observed_choice(prediction, report)
        truth = observed or prediction.marked
        disagreement = None
        if observed is not None and observed.id != prediction.marked.id:
            disagreement = (
                f"On torch {installed_torch() or '(unknown)'}, the run shows {observed.text!r}, but "
                f"this lesson marks {prediction.marked.text!r} as the answer. What the run shows is "
                f"what PyTorch really does here; the lesson needs updating "
                f"(`modbox lessons check` reports it)."
            )
        correct = record.choice == truth.id

        def change(p: LessonProgress) -> None:
            rec = p.predictions.get(prediction_id)
            if rec is not None:
                rec.correct, rec.answer, rec.review = correct, truth.id, not correct

        try:
            self._save(change)
            unsaved = None
        except OSError as exc:  # the store keeps it in memory: the learner still sees the answer
            unsaved = exc.strerror or str(exc)
        return Reveal(
            prediction=prediction, choice=prediction.choice(record.choice), correct_choice=truth,
            correct=correct, confidence=record.confidence,
            output=_evidence(report.stdout) if observed else report.stdout,
            review=not correct, confident_mistake=not correct and record.confidence >= HIGH_CONFIDENCE,
            disagreement=disagreement, problem=problem, unsaved=unsaved,
        )

    def review_items(self) -> list[ReviewItem]:
        """This lesson's predictions answered wrong and not yet re-answered right."""
        known = {p.id for p in self.lesson.predictions}
        return [i for i in self.store.review_queue(self.lesson.id) if i.prediction_id in known]

    def _prediction(self, prediction_id: str) -> Prediction:
        prediction = self.lesson.prediction(prediction_id)
        if prediction is None:
            raise ValueError(f"lesson {self.lesson.id!r} has no prediction {prediction_id!r}")
        return prediction

    # -- the code and its checks

    @property
    def draft(self) -> str:
        """The learner's code: the saved draft, or the starter before any edit."""
        saved = self.progress.draft
        return saved if saved is not None else self.lesson.starter

    @draft.setter
    def draft(self, text: str) -> None:
        """Save the draft (atomically; debounce keystrokes before calling this)."""
        self._save(lambda p: setattr(p, "draft", text))

    @property
    def expressions(self) -> list[str]:
        """What the draft's run must evaluate in its final namespace for this lesson's checks:
        pass it as ``Sandbox.run(..., evaluate=session.expressions)``."""
        return checks.expressions(self.lesson.checks)

    def evaluate(self, report: Report) -> list[CheckResult]:
        """Every check against the run of the draft; all passing marks the lesson solved."""
        results = checks.evaluate(self.lesson.checks, report)
        self.last_results = results
        if all(r.passed for r in results) and not self.progress.solved:
            self._save(lambda p: setattr(p, "solved", True))
        return results

    @property
    def solved(self) -> bool:
        return self.progress.solved

    @property
    def status(self) -> str:
        """``"new"``, ``"started"`` or ``"solved"``."""
        return self.progress.status

    # -- hints and the solution

    @property
    def hints_shown(self) -> list[str]:
        """The hint tiers shown so far, in order."""
        return list(self.lesson.hints[: self.progress.hints_shown])

    @property
    def has_more_hints(self) -> bool:
        return self.progress.hints_shown < len(self.lesson.hints)

    @property
    def fix_hint_needs_confirmation(self) -> bool:
        """True when the next hint is the last tier, the fix itself: ask before showing it."""
        return self.progress.hints_shown == len(self.lesson.hints) - 1

    def next_hint(self, confirmed: bool = False) -> str | None:
        """Show the next tier and return it; None when all are shown.

        Raises ConfirmationRequired for the last tier (the fix) unless ``confirmed``.
        """
        shown = self.progress.hints_shown
        if shown >= len(self.lesson.hints):
            return None
        if shown == len(self.lesson.hints) - 1 and not confirmed:
            raise ConfirmationRequired("the last hint is the fix itself: confirm to see it")
        self._save(lambda p: setattr(p, "hints_shown", max(p.hints_shown, shown + 1)))
        return self.lesson.hints[shown]

    @property
    def solution(self) -> str | None:
        """The reference solution, once solved or explicitly shown; None before."""
        p = self.progress
        return self.lesson.solution if p.solved or p.solution_viewed else None

    def show_solution(self, confirmed: bool = False) -> str:
        """The reference solution. Before the checks pass, only with ``confirmed=True``."""
        if not self.solved and not confirmed:
            raise ConfirmationRequired("the lesson is not solved yet: confirm to see the solution")
        self._save(lambda p: setattr(p, "solution_viewed", True))
        return self.lesson.solution

    def reset(self) -> None:
        """Forget this lesson's progress: first step, the starter, no answers, hints or solve."""
        self.store.reset(self.lesson.id)
        self.last_results = []


def sandbox_limits(lesson: Lesson) -> Limits | None:
    """The sandbox ``Limits`` for runs of ``lesson``'s code; None (the defaults) unless it sets any."""
    overrides = lesson.limits.overrides()
    if not overrides:
        return None
    from modbox.sandbox.limits import Limits

    return dataclasses.replace(Limits(), **overrides)


def resume_lesson(catalog: Catalog, store: ProgressStore) -> Lesson | None:
    """Where ``modbox`` picks up: the lesson opened last, else the first unsolved one in order."""
    last = catalog.get(store.last_lesson or "")
    if last is not None:
        return last
    progress = store.all()
    unsolved = [lesson for lesson in catalog.lessons
                if not (lesson.id in progress and progress[lesson.id].solved)]
    return (unsolved or list(catalog.lessons) or [None])[0]


def review_round(catalog: Catalog, store: ProgressStore, limit: int = 5) -> list[ReviewQuestion]:
    """Up to ``limit`` predictions to ask again at startup, confident mistakes first.

    Answer each through ``question.session`` (``answer``, ``observe_source``, ``reveal``), as
    in the lesson: a right answer takes it out of the queue. Items of lessons or predictions that
    no longer exist are skipped.
    """
    round_: list[ReviewQuestion] = []
    for item in store.review_queue():
        lesson = catalog.get(item.lesson_id)
        prediction = lesson.prediction(item.prediction_id) if lesson else None
        if prediction is None or lesson.torch_problem:
            continue
        session = LessonSession(lesson, store, resume_here=False)
        round_.append(ReviewQuestion(session, prediction, item))
        if len(round_) == limit:
            break
    return round_


@dataclass(frozen=True)
class ReviewQuestion:
    session: LessonSession
    prediction: Prediction
    item: ReviewItem  # what the learner answered last time, and how sure they were


def _evidence(stdout: str) -> str:
    """``stdout`` without its last non-empty line."""
    lines = stdout.rstrip().splitlines()
    return "\n".join(lines[:-1]).rstrip() + "\n" if len(lines) > 1 else ""


def observed_choice(prediction: Prediction, report: Report) -> tuple[Choice | None, str | None]:
    """The choice an observe run shows to be true, or None and why it could not tell."""
    if not report.ok:
        kind = report.error.kind if report.error else "error"
        message = report.error.message if report.error else "no details"
        return None, f"the observe run failed ({kind}: {message})"
    lines = [line.strip() for line in report.stdout.splitlines() if line.strip()]
    if not lines:
        return None, "the observe run printed nothing; its last line must be a choice id"
    choice = prediction.choice(lines[-1])
    if choice is None:
        ids = ", ".join(c.id for c in prediction.choices)
        return None, f"the observe run's last line is {lines[-1]!r}, not one of the choice ids ({ids})"
    return choice, None
