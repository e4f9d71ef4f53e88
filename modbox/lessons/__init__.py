"""Guided lessons: the lesson format, its loader and validator, checks, progress and sessions.

Pure Python over ``modbox.report.Report``: nothing here imports torch or textual. The format for
teachers is in ``docs/lessons.md``; the lesson screens use ``LessonSession``.
"""

from modbox.lessons.checks import CheckResult
from modbox.lessons.loader import builtin_lessons_dir, load_catalog, load_lesson
from modbox.lessons.model import BrokenLesson, Catalog, Lesson
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import (
    ConfirmationRequired,
    LessonSession,
    PredictionNotAnswered,
    Reveal,
    ReviewQuestion,
    resume_lesson,
    review_round,
    sandbox_limits,
)

__all__ = [
    "BrokenLesson", "Catalog", "CheckResult", "ConfirmationRequired", "Lesson", "LessonSession",
    "PredictionNotAnswered", "ProgressStore", "Reveal", "ReviewQuestion", "builtin_lessons_dir",
    "load_catalog", "load_lesson", "resume_lesson", "review_round", "sandbox_limits",
]
