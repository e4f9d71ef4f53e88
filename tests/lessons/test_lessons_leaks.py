"""The answer-leak warning: text read before a prediction that gives its answer away.

The leaking sentences are real ones from modbox's lessons (issue 13); the clean ones are real
sentences the detector must leave alone."""

from __future__ import annotations

import pytest

from modbox.lessons import cli, load_catalog
from modbox.lessons.leaks import leaking_words
from modbox.lessons.model import Choice, Prediction
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
