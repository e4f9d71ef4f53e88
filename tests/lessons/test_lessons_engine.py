"""The built-in lessons on the real engine: sandbox, inspector and the installed torch."""

from __future__ import annotations

import pytest

from modbox.lessons import LessonSession, ProgressStore, load_catalog, sandbox_limits
from modbox.sandbox import Sandbox
from tests.support import ROOT


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.mark.slow
def test_modbox_lessons_check_passes_on_the_builtin_lessons(capsys):
    from modbox.cli import main

    lessons = ROOT / "lessons"
    code = main(["lessons", "check", str(lessons)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "✓ registration: " in out
    assert out.endswith("all lessons are good\n")


@pytest.mark.slow
def test_a_lesson_played_on_the_real_engine(sandbox, tmp_path):
    lesson = load_catalog().get("registration")
    session = LessonSession(lesson, ProgressStore(tmp_path / "progress.json"))
    session.next()
    prediction = session.pending_prediction
    session.answer(prediction.id, "silently-missing", 3)
    reveal = session.reveal(prediction.id, sandbox.run(session.observe_source(prediction.id)))
    assert not reveal.correct and reveal.confident_mistake and reveal.disagreement is None
    assert "cannot assign module before Module.__init__() call" in reveal.output

    starter = session.evaluate(sandbox.run(session.draft, limits=sandbox_limits(lesson)))
    failed = {r.id: r.message for r in starter if not r.passed}
    assert "runs" in failed and "cannot assign module before Module.__init__() call" in failed["runs"]
    assert not session.solved

    session.draft = session.draft.replace(
        "        self.hidden = nn.Linear(4, 8)\n        super().__init__()\n",
        "        super().__init__()\n        self.hidden = nn.Linear(4, 8)\n")
    halfway = session.evaluate(sandbox.run(session.draft))
    failed = {r.id: r.message for r in halfway if not r.passed}
    assert "'Net' object has no attribute 'out'" in failed["runs"]
    assert "layers" in failed and "Registered submodules: ['hidden']" in failed["layers"]

    session.draft = lesson.solution
    results = session.evaluate(sandbox.run(session.draft, evaluate=session.expressions))
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    assert session.solved and session.solution == lesson.solution


@pytest.mark.slow
def test_a_lessons_own_limits_reach_the_sandbox(sandbox, tmp_path):
    import dataclasses

    from modbox.lessons.model import Limits

    lesson = dataclasses.replace(load_catalog().get("objects"), limits=Limits(wall=1.5, memory_mb=256))
    limits = sandbox_limits(lesson)
    assert (limits.wall, limits.memory_mb) == (1.5, 256)
    report = sandbox.run("while True:\n    pass\n", limits=limits)
    assert report.error.kind == "timeout"
    assert sandbox_limits(load_catalog().get("objects")) is None
