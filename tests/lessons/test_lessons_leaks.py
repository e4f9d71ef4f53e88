"""The answer-leak warning: text read before a prediction that gives its answer away.

The leaking sentences are real ones from modbox's lessons (issue 13); the clean ones are real
sentences the detector must leave alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from modbox.lessons import cli, load_catalog
from modbox.lessons.leaks import answer_leaks, answer_names, leaking_words
from modbox.lessons.model import Choice, Lesson, Prediction
from tests.support.lessons import SUMMARY, VALID, SubprocessSandbox, write_lesson



def prediction(question: str, correct: str, *wrong: str) -> Prediction:
    choices = [Choice("right", correct, "why", correct=True)]
    choices += [Choice(f"wrong{i}", text, "why") for i, text in enumerate(wrong)]
    return Prediction("q", question, tuple(choices), "print('right')")


TIED = prediction(
    "With `head.weight` tied to `emb.weight`, what does tying do to "
    "`sum(p.numel() for p in model.parameters())`?",
    "It halves those parameters: the shared matrix is counted once",
    "Nothing: each layer still has its 40 weights", "It doubles them: the tensor is stored twice")
TIED_COUNT = prediction(
    "With `head.weight` tied to `emb.weight`, what is `sum(p.numel() for p in model.parameters())`?",
    "40: the shared matrix is counted once", "80: two layers with 40 weights each",
    "0: a tied weight belongs to neither layer")
APPLY = prediction(
    "In what order does `apply` call the function here?",
    "Linear, ReLU, Sequential, Linear, Sequential (children before their parent)",
    "Sequential, Sequential, Linear, ReLU, Linear (the order of `named_modules()`)",
    "Linear, ReLU, Linear (only the layers that compute)")
SNAPSHOT = prediction(
    'What does `saved["0.weight"]` hold at the end?',
    "`[[7.0, 7.0]]`: the dict shares memory with the model",
    "The weights from before `fill_`: `state_dict()` took a snapshot",
    "It raises: the weights changed after `state_dict()`")
TENSOR = prediction(
    "How many tensors does `list(Gain().parameters())` contain?",
    "0: a plain tensor is not registered", "1: `requires_grad=True` makes `scale` a parameter",
    "2: the tensor and its gradient")


@pytest.mark.parametrize("sentence,asked", [
    ("Tying halves those parameters.", TIED),
    ("parameters() counts it once, state_dict() saves it under every name.", TIED_COUNT),
    ("model.apply(fn) visits every module, children first.", APPLY),
    ("state_dict() is an ordered dict from module paths to tensors: parameters and persistent "
     "buffers, no code, and no copies.", SNAPSHOT),
])
def test_real_leaks_from_summaries_are_caught(sentence, asked):
    assert leaking_words(sentence, asked) is not None


def test_what_a_leak_shares_is_named():
    assert leaking_words("Tying halves those parameters.", TIED) == ("answer", {"half"})
    assert leaking_words("No copies are made.", SNAPSHOT) == ("rules out 'wrong0'", {"copy"})


@pytest.mark.parametrize("sentence,asked,prose", [
    # the opposite polarity: registering a layer does not say a plain tensor is not registered
    ("Assigning to self registers a layer or Parameter.", TENSOR, False),
    # a word of the answer in explaining prose is not the answer
    ("The tensors whose names did match were copied, and the weight was shared.", TIED, True),
    ("`Net` registered two children, `head` and `body`.", APPLY, True),
    # the subject of the question, not its answer
    ("`apply` calls a function on every module of the model.", APPLY, False),
    # prose may explain what a wrong choice gets wrong
    ("A state_dict is no snapshot.", SNAPSHOT, True),
])
def test_sentences_that_do_not_give_the_answer_away(sentence, asked, prose):
    assert leaking_words(sentence, asked, prose=prose) is None


def test_words_the_lesson_uses_all_along_are_its_topic_not_an_answer():
    asked = prediction("Which of `mean` and `std` follows `.double()`?",
                       "`mean`: a buffer is converted, a plain tensor is not",
                       "both: every tensor attribute is converted", "neither: only parameters are")
    assert leaking_words("Buffers are converted by .double().", asked) is not None
    assert leaking_words("Buffers are converted by .double().", asked, topic={"buffer", "convert"}) is None


LEAKY = VALID.replace(SUMMARY, 'summary = "The answer is always the purple one."') \
    .replace('text = "A"', 'text = "Purple: the answer"').replace('question = "Which?"', 'question = "Which colour?"')


def test_lessons_check_warns_with_the_file_line_and_fails(tmp_path, capsys):
    folder = write_lesson(tmp_path, toml=LEAKY)
    code = cli.check(load_catalog(tmp_path, torch_version="2.13.0"), SubprocessSandbox)
    out = capsys.readouterr().out
    assert code == 1
    assert (f"  warning: {folder / 'lesson.toml'}:3: summary: gives away the answer to predictions[q] "
            "('Purple: the answer'): 'The answer is always the purple one.' (shared words: answer, purple)") in out
    assert "✗ tiny" in out and "1 problem(s) found" in out
    write_lesson(tmp_path / "clean", toml=VALID)
    assert cli.check(load_catalog(tmp_path / "clean", torch_version="2.13.0"), SubprocessSandbox) == 0


# Names the answer turns on, shown before the question, and answers a required lesson already
# gave. Each case puts back a real lesson's earlier text, which gave its answer away.
BUILT_IN = load_catalog(Path(__file__).resolve().parents[2] / "lessons", torch_version="2.13.0")


def with_text(lesson_id: str, **changes) -> Lesson:
    """A built-in lesson with some of its text replaced: ``summary``, ``objectives``, a step's
    ``text`` (as ``step_ID``) or a prediction's ``question`` (as ``question_ID``), with the
    id's dashes written as underscores."""
    lesson = BUILT_IN.get(lesson_id)
    def key(kind, entry):
        return f"{kind}_{entry.id.replace('-', '_')}"

    steps = tuple(dataclasses.replace(s, text=changes.pop(key("step", s))) if key("step", s) in changes
                  else s for s in lesson.steps)
    predictions = tuple(dataclasses.replace(p, question=changes.pop(key("question", p)))
                        if key("question", p) in changes else p for p in lesson.predictions)
    return dataclasses.replace(lesson, steps=steps, predictions=predictions, **changes)


OLD_META_SUMMARY = ("Build a model of any size on the meta device, then give it memory with to_empty(), "
                    "values with reset_parameters(), or a checkpoint's tensors with "
                    "load_state_dict(..., assign=True).")
OLD_META_OBJECTIVE = ("Load a checkpoint into a meta model with `load_state_dict(..., assign=True)`, so the "
                      "model uses the checkpoint's tensors without a second copy.")
OLD_RESIDUAL_STEP = '''
The one-liner found in many training scripts renames the keys with
`str.replace`. Models often hold modules under generic names, such as this
residual wrapper, which keeps the layer it wraps as `self.module`:

```python
class Residual(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module = module
    def forward(self, x):
        return x + self.module(x)
```
'''
OLD_REPLACE_QUESTION = '''
`checkpoint` was saved from `nn.DataParallel(Net())`, and `Net` holds
`self.block = Residual(nn.Linear(8, 8))` beside `stem` and `head`. What does
the load report?

```python
state = {k.replace("module.", ""): v for k, v in checkpoint.items()}
result = Net().load_state_dict(state, strict=False)
```
'''
OLD_OWNER_QUESTION = '''
The optimizer was built from `compiled.parameters()`. After an
`optimizer.step()`, what happens to `model.body.weight`?
'''
OLD_KEYS_QUESTION = '''
What are the first keys of `compiled.state_dict()`, for
`model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))`?
'''


@pytest.mark.parametrize("lesson,where,shown", [
    # a keyword argument the answer's explanation prescribes, in the summary and an objective
    (with_text("meta-device", summary=OLD_META_SUMMARY), "summary: shows `assign` before predictions[q-load]", "assign"),
    (with_text("meta-device", objectives=(OLD_META_OBJECTIVE,)), "objectives[1]: shows `assign` before", "assign"),
    # an attribute the answer turns on, shown by the step before while the question leaves it out
    (with_text("prefixed-keys", step_replace=OLD_RESIDUAL_STEP, question_q_replace=OLD_REPLACE_QUESTION),
     "steps[replace].text: shows `module` before predictions[q-replace]", "module"),
])
def test_a_name_the_answer_turns_on_shown_before_the_question_is_caught(lesson, where, shown):
    found = [w for w in answer_leaks(lesson, BUILT_IN) if where in w]
    assert found and f"`{shown}`" in found[0]


@pytest.mark.parametrize("prediction,old", [("q-owner", OLD_OWNER_QUESTION), ("q-keys", OLD_KEYS_QUESTION)])
def test_an_answer_a_required_lesson_gave_is_caught_unless_the_question_is_review(prediction, old):
    lesson = with_text("compiled-module", **{f"question_{prediction.replace('-', '_')}": old})
    found = [w for w in answer_leaks(lesson, BUILT_IN) if f"predictions[{prediction}].question" in w]
    assert found and "`_orig_mod`" in found[0] and "'Wrapped models and prefixed keys'" in found[0]
    # the same question framed as review, naming the lesson it reviews, is fine
    review = with_text("compiled-module", **{f"question_{prediction.replace('-', '_')}":
                                             "A review of *Wrapped models and prefixed keys*: " + old})
    assert not [w for w in answer_leaks(review, BUILT_IN) if f"predictions[{prediction}]" in w]
    # and without the catalog there is no required lesson to compare with
    assert not [w for w in answer_leaks(lesson) if f"predictions[{prediction}].question" in w]


def test_the_names_an_answer_turns_on():
    asked = BUILT_IN.get("prefixed-keys").prediction("q-replace")
    turns_on = answer_names(dataclasses.replace(asked, question=OLD_REPLACE_QUESTION))
    # the string "module." in the question's code is data: it shows no attribute `module`
    assert "module" in turns_on.attributes and "removeprefix" in turns_on.attributes
    assert turns_on.shown_in("class Residual:\n    def __init__(self, module):\n        self.module = module") == {"module"}
    # naming `module` in prose is not assigning an attribute of that name
    assert turns_on.shown_in("DataParallel calls its child `module`.") == set()
    # once the question's own code shows the attribute, it is part of the question
    assert "module" not in answer_names(asked).attributes
    # a keyword argument counts as a keyword, not as a word: "requires_grad" is no `assign=True`
    load = BUILT_IN.get("meta-device").prediction("q-load")
    assert answer_names(load).keywords == {"assign"}
    assert answer_names(load).shown_in("the `assign` flag") == set()
    assert answer_names(load).shown_in("load_state_dict(sd, assign=True)") == {"assign"}


def test_the_built_in_lessons_give_no_answer_away():
    assert [w for lesson in BUILT_IN.lessons for w in answer_leaks(lesson, BUILT_IN)] == []
