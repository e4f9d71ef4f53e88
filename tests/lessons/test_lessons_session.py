"""LessonSession: the whole flow of one lesson, with Reports built by hand (the real engine is in
test_lessons_engine.py)."""

from __future__ import annotations

import pytest

from modbox.lessons import ConfirmationRequired, LessonSession, PredictionNotAnswered, ProgressStore
from modbox.lessons import load_catalog
from modbox.lessons.progress import PredictionRecord
from modbox.report import Error, Model, ModuleRow, ParameterRow, Report, Value


@pytest.fixture
def lesson():
    return load_catalog().get("registration")


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.json")


def printed(*lines) -> Report:
    return Report(ok=True, stdout="".join(f"{line}\n" for line in lines))


def starter_run() -> Report:
    return Report(ok=False, error=Error(kind="exception", message="AttributeError: cannot assign "
                                        "module before Module.__init__() call", line=9))


def solved_run() -> Report:
    def row(path, cls="Linear"):
        return ModuleRow(path, cls, 1 if path else 0, 0, 0, "all", True)

    def p(name, shape):
        n = 1
        for s in shape:
            n *= s
        return ParameterRow(name, shape, n, "float32", "cpu", True, False)

    params = [p("scale", [2]), p("hidden.weight", [8, 4]), p("hidden.bias", [8]),
              p("out.weight", [2, 8]), p("out.bias", [2])]
    model = Model("model", "Net", 60, 60, 240, 0, modules=[row("", "Net"), row("hidden"), row("out")],
                  parameters=params, state_dict_keys=[x.name for x in params])
    names = sorted(x.name for x in params)
    fresh_net = Value("sorted(name for name, _ in Net().named_parameters())", True, names, True,
                      repr(names))
    return Report(ok=True, stdout="torch.Size([3, 2])\n", models=[model], values=[fresh_net])


def test_a_whole_lesson_predict_reveal_fail_hint_pass_solution(lesson, store):
    s = LessonSession(lesson, store)
    assert s.step.id == "setattr" and s.pending_prediction is None
    assert s.draft == lesson.starter
    assert s.next()

    p = s.pending_prediction
    assert p is not None and p.id == "q-early"
    with pytest.raises(PredictionNotAnswered):
        s.observe_source(p.id)
    s.answer(p.id, "registered-later", confidence=3)
    assert s.pending_prediction is None
    assert "super().__init__()" in s.observe_source(p.id)
    reveal = s.reveal(p.id, printed("AttributeError: cannot assign module before Module.__init__() call",
                                    "error"))
    assert (reveal.correct, reveal.review, reveal.confident_mistake) == (False, True, True)
    assert reveal.correct_choice.id == "error" and reveal.choice.id == "registered-later"
    assert reveal.explanation == lesson.prediction("q-early").choice("registered-later").explanation
    assert reveal.disagreement is None and reveal.problem is None
    assert reveal.output == "AttributeError: cannot assign module before Module.__init__() call\n"
    assert [(i.prediction_id, i.confident) for i in s.review_items()] == [("q-early", True)]

    while s.step.task is None:
        assert s.next()
    results = s.evaluate(starter_run())
    assert not all(r.passed for r in results)
    failed = {r.id: r.message for r in results if not r.passed}
    assert failed["runs"] == ("The run stopped: exception: AttributeError: cannot assign module before "
                              "Module.__init__() call")
    assert not s.solved and s.solution is None

    assert s.next_hint() == lesson.hints[0]
    assert s.next_hint() == lesson.hints[1]
    assert s.fix_hint_needs_confirmation
    with pytest.raises(ConfirmationRequired):
        s.next_hint()
    assert s.next_hint(confirmed=True) == lesson.hints[2]
    assert s.next_hint(confirmed=True) is None and not s.has_more_hints
    assert s.hints_shown == list(lesson.hints)

    s.draft = lesson.solution
    results = s.evaluate(solved_run())
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    assert s.solved and s.status == "solved"
    assert s.solution == lesson.solution


def test_progress_resumes_in_a_new_session(lesson, store, tmp_path):
    s = LessonSession(lesson, store)
    s.next()
    s.next()
    s.draft = "# my code\n"
    s.answer("q-early", "error", 2)
    again = LessonSession(lesson, ProgressStore(tmp_path / "progress.json"))
    assert again.step_index == 2 and again.draft == "# my code\n" and again.answered("q-early")
    assert again.store.last_lesson == "registration"


def test_right_answer_leaves_the_review_queue(lesson, store):
    s = LessonSession(lesson, store)
    s.answer("q-tensor", "one", 1)
    assert not s.reveal("q-tensor", printed("parameters: 0", "zero")).correct
    assert [i.confident for i in s.review_items()] == [False]
    s.answer("q-tensor", "zero", 2)
    reveal = s.reveal("q-tensor", printed("parameters: 0", "zero"))
    assert reveal.correct and not reveal.review
    assert s.review_items() == []


def test_the_observe_run_decides_and_a_disagreement_is_said_clearly(lesson, store):
    s = LessonSession(lesson, store)
    s.answer("q-tensor", "one", 3)
    reveal = s.reveal("q-tensor", printed("parameters: 1", "one"))
    assert reveal.correct and reveal.correct_choice.id == "one"
    assert "the run shows '1: `requires_grad=True` makes `scale` a parameter'" in reveal.disagreement
    assert "this lesson marks '0: a plain tensor is not registered' as the answer" in reveal.disagreement


def test_an_observe_run_that_cannot_decide_falls_back_to_the_marked_choice(lesson, store):
    s = LessonSession(lesson, store)
    s.answer("q-tensor", "zero", 1)
    failed = s.reveal("q-tensor", Report(ok=False, error=Error(kind="timeout", message="ran 10 s")))
    assert failed.correct and failed.problem == "the observe run failed (timeout: ran 10 s)"
    assert failed.output == ""
    odd = s.reveal("q-tensor", printed("maybe"))
    assert odd.output == "maybe\n"
    assert odd.problem == ("the observe run's last line is 'maybe', not one of the choice ids "
                           "(one, zero, error)")


def test_answers_are_validated(lesson, store):
    s = LessonSession(lesson, store)
    with pytest.raises(ValueError, match="no choice 'seven'"):
        s.answer("q-tensor", "seven", 1)
    with pytest.raises(ValueError, match="confidence must be 1, 2 or 3"):
        s.answer("q-tensor", "zero", 5)
    with pytest.raises(ValueError, match="no prediction 'q-nope'"):
        s.answer("q-nope", "zero", 1)
    with pytest.raises(PredictionNotAnswered):
        s.reveal("q-tensor", printed("zero"))


def test_solution_before_solving_needs_confirmation(lesson, store):
    s = LessonSession(lesson, store)
    with pytest.raises(ConfirmationRequired):
        s.show_solution()
    assert s.show_solution(confirmed=True) == lesson.solution
    assert s.solution == lesson.solution and not s.solved


def test_steps_stop_at_both_ends(lesson, store):
    s = LessonSession(lesson, store)
    assert not s.prev()
    while s.next():
        pass
    assert s.is_last_step and s.step.myth


def test_reset_forgets_the_lesson_only(lesson, store):
    s = LessonSession(lesson, store)
    s.next()
    s.draft = "changed"
    s.show_solution(confirmed=True)
    store.update("anatomy", lambda p: setattr(p, "solved", True))
    s.reset()
    assert (s.step_index, s.draft, s.solution) == (0, lesson.starter, None)
    assert store.get("anatomy").solved


def test_a_saved_step_that_no_longer_exists_falls_back_to_the_first(lesson, store):
    store.update("registration", lambda p: setattr(p, "step", "removed-step"))
    assert LessonSession(lesson, store).step_index == 0


def test_progress_follows_a_step_moved_to_another_position(lesson, store, tmp_path):
    import dataclasses

    store.update("registration", lambda p: setattr(p, "step", "fix"))
    reordered = dataclasses.replace(lesson, steps=tuple(reversed(lesson.steps)))
    assert LessonSession(reordered, store).step.id == "fix"


def test_review_round_asks_wrong_answers_again_confident_first(store):
    from modbox.lessons import review_round

    catalog = load_catalog()
    registration = LessonSession(catalog.get("registration"), store)
    registration.answer("q-tensor", "one", 3)
    registration.reveal("q-tensor", printed("parameters: 0", "zero"))
    anatomy = LessonSession(catalog.get("anatomy"), store)
    anatomy.answer("q-count", "twelve", 1)
    anatomy.reveal("q-count", printed("total: 15", "fifteen"))
    store.update("removed-lesson", lambda p: p.predictions.update(
        gone=PredictionRecord("x", 3, correct=False, review=True)))
    assert store.last_lesson == "anatomy"

    questions = review_round(catalog, store)
    assert [(q.session.lesson.id, q.prediction.id, q.item.confident) for q in questions] == [
        ("registration", "q-tensor", True), ("anatomy", "q-count", False)]
    first = questions[0]
    first.session.answer(first.prediction.id, "zero", 2)
    first.session.reveal(first.prediction.id, printed("parameters: 0", "zero"))
    assert [q.prediction.id for q in review_round(catalog, store)] == ["q-count"]
    assert store.last_lesson == "anatomy"


def test_resume_picks_the_last_opened_lesson_else_the_first_unsolved(store):
    from modbox.lessons import resume_lesson

    catalog = load_catalog()
    assert resume_lesson(catalog, store).id == "objects"
    store.update("objects", lambda p: setattr(p, "solved", True))
    assert resume_lesson(catalog, store).id == "anatomy"
    LessonSession(catalog.get("registration"), store)
    assert resume_lesson(catalog, store).id == "registration"
    store.set_last_lesson("a-lesson-that-was-removed")
    assert resume_lesson(catalog, store).id == "anatomy"


def test_a_reveal_that_cannot_be_saved_still_shows_the_answer_and_says_why(lesson, store, monkeypatch):
    s = LessonSession(lesson, store)
    s.answer("q-early", "error", confidence=2)

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("modbox.storage.atomic_write_text", refuse)
    reveal = s.reveal("q-early", printed("AttributeError: cannot assign module", "error"))
    assert reveal.correct and reveal.correct_choice.id == "error"
    assert reveal.unsaved == "No space left on device"
    assert s.progress.predictions["q-early"].correct  # kept in memory all the same
