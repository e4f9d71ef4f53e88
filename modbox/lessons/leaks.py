"""Answer leaks: text a learner reads before a prediction that gives its answer away.

What a learner has read when a prediction is asked: the menu's summary, the objectives, the
titles of the steps up to the prediction's, and the prose (text and task) of the steps before
it and of its own step (code blocks left out). A sentence there leaks when

* it shares the correct choice's distinctive words: the words of its text that no wrong choice
  and not the question uses, compared by stem, by a small table of synonyms (``halves``/
  ``half``, ``copies``/``snapshot``/``clone``, ``before``/``first``) and by polarity
  ("registers a layer" does not state "a plain tensor is not registered"). It leaks with at
  least half of them; a step's prose, which explains rather than concludes, needs both when
  the choice has two. A summary, an objective or a title also leaks with half of the words
  before the choice's first colon, where a choice states its claim ("It halves them: ..."); or
* it is a summary, an objective or a title that rules a wrong choice out by denying one of
  that choice's distinctive words ("no copies" against "`state_dict()` took a snapshot"); or
* it shows, in code or in prose, a name the answer turns on: an identifier, attribute or
  keyword argument that the correct choice or its explanation names and that neither the
  question's code nor a wrong choice shows (`assign=True` in a summary before "what does this
  `load_state_dict` do?", `self.module` in the step before a question about
  `replace("module.", "")`). What the question needs, it shows itself.

A prediction whose answer turns on a name that a lesson it requires (directly or through
others) already showed is asked again, not asked: it warns unless the question is framed as
review, by naming that lesson's title ("In *Wrapped models and prefixed keys* ...").

Words every lesson uses (``model``, ``module``...), English function words, the words of the
lesson's title and words in more than two of the sentences read (the lesson's subject) are
never distinctive. ``answer_leaks(lesson, catalog)`` returns ``file:line: key: what`` warnings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from modbox.lessons.loader import LESSON_FILE
from modbox.lessons.model import Catalog, Choice, Lesson, Prediction
from modbox.lessons.toml_lines import key_lines, line_of

_ENGLISH = frozenset("""
a an the and or but if then than so as of to in on at by for from with into onto over under
about is are was were be been being it its this that these those there here
what which who whom whose when where why how all any each every both either neither some such
own same other another only just also very more most less least much many few can could will
would should may might must do does did done doing has have had having get gets got make makes
made use uses used using i you we they he she them us our your their one per yet still again
via like e g eg ie etc not
""".split())
_GENERIC = frozenset("""
model models module modules torch nn pytorch py python code program run runs print prints
printed call calls called return returns line lines value values thing things way ways
""".split())
_STOP = _ENGLISH | _GENERIC
_NEGATIONS = frozenset({"no", "not", "never", "without", "none", "nothing", "nor", "isn't",
                        "aren't", "doesn't", "don't", "didn't", "won't", "cannot", "can't"})
# Words that say the same thing in lessons about nn.Module, mapped to one concept.
_SYNONYMS = {
    "half": "half", "halve": "half", "halv": "half", "halved": "half",
    "copy": "copy", "copie": "copy", "snapshot": "copy", "clone": "copy", "duplicate": "copy",
    "share": "share", "alias": "share", "view": "share",
    "double": "double", "twice": "double",
    "once": "once", "single": "once",
    "child": "child", "children": "child",
    "parent": "parent",
    "error": "raise", "raise": "raise", "rais": "raise", "exception": "raise",
    "first": "first", "before": "first", "last": "last", "after": "last",
    "zero": "zero", "0": "zero",
}
_WORD = re.compile(r"[a-z0-9][a-z0-9_]*(?:n't)?(?:\.[0-9]+)?")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n\s*\n|\n\s*[-*]\s+")


def stem(word: str) -> str:
    """A crude stem: enough to match counts/counted/counting and halves/half."""
    if word in _SYNONYMS or "_" in word:  # a name from code is kept whole
        return _SYNONYMS.get(word, word)
    for suffix, keep in (("ies", "y"), ("ves", "f"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""),
                         ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + keep
            break
    return _SYNONYMS.get(word, word)


def concepts(text: str) -> list[str]:
    """The stems of ``text``'s words, in order, function words and generic words left out."""
    return [stem(w) for w in _words(text) if w not in _STOP]


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("'s", "")) if len(w) > 1 or w.isdigit()]


def polar(text: str) -> set[tuple[str, bool]]:
    """``text``'s concepts, each with whether it is negated ("is not registered": register, True):
    a negation covers the next two words that are not function words."""
    out, negate = set(), 0
    for word in _words(text):
        if word in _NEGATIONS:
            negate = 2
        elif word not in _STOP:
            out.add((stem(word), negate > 0))
            negate = max(0, negate - 1)
    return out


def distinctive(prediction: Prediction, choice: Choice,
                topic: set[str] = frozenset()) -> set[tuple[str, bool]]:
    """The concepts of ``choice`` (with their polarity) that no other choice, not the question
    and not the ``topic`` uses."""
    others = set(concepts(prediction.question)) | topic
    for other in prediction.choices:
        if other is not choice:
            others |= set(concepts(other.text))
    return {(c, negated) for c, negated in polar(choice.text) if c not in others}


def leaking_words(sentence: str, prediction: Prediction, topic: set[str] = frozenset(),
                  prose: bool = False) -> tuple[str, set[str]] | None:
    """("answer", words) when ``sentence`` states the correct choice, ("rules out <id>", words)
    when it denies what a wrong choice states; None when it does neither. ``topic``: concepts
    the lesson uses all along (its subject, not an answer). ``prose``: the sentence explains (a
    step's text) rather than concludes (summary, objectives, titles): one shared word is not
    enough, and ruling out is part of explaining."""
    seen = polar(sentence)
    answer = distinctive(prediction, prediction.marked, topic)
    hits = answer & seen
    need = math.ceil(len(answer) / 2) if len(answer) > 2 else (len(answer) if prose else 1)
    if answer and len(hits) >= need:
        return "answer", {c for c, _ in hits}
    if prose:
        return None
    head, colon, _why = prediction.marked.text.partition(": ")
    if colon:  # "It halves them: ..." states the answer before its reason
        claim = answer & polar(head)
        said = claim & seen
        if claim and len(said) >= math.ceil(len(claim) / 2):
            return "answer", {c for c, _ in said}
    for choice in prediction.choices:
        if choice is prediction.marked:
            continue
        stated = {c for c, negated in distinctive(prediction, choice) if not negated}
        opposite = {(c, True) for c in stated} & seen
        if opposite:
            return f"rules out {choice.id!r}", {c for c, _ in opposite}
    return None


def _read_before(lesson: Lesson, prediction: Prediction) -> list[tuple[tuple, str, str]]:
    """(path in the TOML, key name, text) of everything read before ``prediction`` is asked."""
    asked_at = next(i for i, s in enumerate(lesson.steps) if s.prediction == prediction.id)
    texts = [(("summary",), "summary", lesson.summary)]
    texts += [(("objectives",), f"objectives[{i + 1}]", o) for i, o in enumerate(lesson.objectives)]
    for i, step in enumerate(lesson.steps[: asked_at + 1]):
        texts.append((("steps", i, "title"), f"steps[{step.id}].title", step.title))
        texts.append((("steps", i, "text"), f"steps[{step.id}].text", step.text))
        if step.task and i < asked_at:
            texts.append((("steps", i, "task"), f"steps[{step.id}].task", step.task))
    return texts


# Names every lesson's code uses: the answer never turns on them.
_COMMON_NAMES = frozenset("""
self torch nn model x y F True False None print len list dict super __init__ forward
""".split())
_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_SPAN = re.compile(r"`([^`\n]+)`")
_STRING = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Outside code, words that can only be code: a call, a keyword argument, a dotted or
# underscored name.
_CODE_WORD = re.compile(r"[A-Za-z_][\w.]*\([^)\s]*\)?|\w+=\w+|[A-Za-z]*_\w+|[A-Za-z_]\w*\.[A-Za-z_][\w.]*")


def names(text: str, strings: bool = True) -> set[str]:
    """The identifiers the Markdown ``text`` shows as code: in fenced blocks, in `spans` that
    read as code (a span of plain words, like a printed message, does not), and the words of
    its prose that can only be code (``load_state_dict(..., assign=True)``). ``strings=False``
    leaves out what string literals hold: data, not names."""
    code = [block.strip("`") for block in _FENCE.findall(text)]
    prose = _FENCE.sub(" ", text)
    code += [span for span in _SPAN.findall(prose) if " " not in span.strip() or any(c in span for c in "(.=_[")]
    code += _CODE_WORD.findall(_SPAN.sub(" ", prose))
    found = set()
    for fragment in code:
        if not strings:
            fragment = _STRING.sub(" ", fragment)
        found.update(_IDENT.findall(fragment))
    return {n for n in found if n not in _COMMON_NAMES and n.lower() not in _ENGLISH and len(n) > 1}


_KEYWORD = re.compile(r"\b([a-z_][a-z0-9_]*)=(?!=)")
_SELF_ATTRIBUTE = re.compile(r"\bself\.([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")


def _keywords(text: str) -> set[str]:
    """The keyword arguments ``text`` shows (``assign=True``: ``assign``), in code or prose."""
    return set(_KEYWORD.findall(text))


@dataclass(frozen=True)
class AnswerNames:
    """What a prediction's correct choice turns on that its question does not show."""

    said: frozenset[str]  # names the correct choice's text gives
    keywords: frozenset[str]  # keyword arguments its explanation gives (`assign=True`)
    attributes: frozenset[str]  # names its explanation gives, seen as `self.NAME = ...` before
    private: frozenset[str]  # private attributes its explanation gives (`_orig_mod`)

    def shown_in(self, text: str) -> set[str]:
        """What of the answer ``text``, read before the question in the same lesson, shows."""
        return ((self.said & names(text)) | (self.keywords & _keywords(text))
                | (self.attributes & set(_SELF_ATTRIBUTE.findall(text))))

    def taught_by(self, lesson: Lesson, own: set[str]) -> set[str]:
        """What of the answer a lesson learned earlier already showed. ``own``: the names the
        asking lesson shows before the question; a private attribute among them is its subject
        (a lesson on `_modules`), and what it says of it is judged in the lesson itself."""
        return (self.said | (self.private - own)) & _taught(lesson)


def answer_names(prediction: Prediction) -> AnswerNames:
    """The names the correct choice turns on and the question does not show: a question shows
    what it needs itself, so a name shown only before it points at the answer. A name in the
    question's code counts as shown in its in-place form too (`requires_grad_`); what its string
    literals hold does not (`replace("module.", "")` shows no attribute `module`)."""
    shown = names(prediction.question, strings=False) | _keywords(_STRING.sub(" ", prediction.question))
    shown |= {n.rstrip("_") for n in shown}
    for choice in prediction.choices:
        if choice is not prediction.marked:
            shown |= names(choice.text) | _keywords(choice.text)
    explained = names(prediction.marked.explanation) - shown
    return AnswerNames(
        said=frozenset(names(prediction.marked.text) - shown),
        keywords=frozenset(_keywords(prediction.marked.explanation) - shown),
        attributes=frozenset(explained),
        private=frozenset(n for n in explained if n.startswith("_") and not n.endswith("__")))


def _prerequisites(lesson: Lesson, catalog: Catalog | None) -> list[Lesson]:
    """The lessons ``lesson`` requires, directly or through others, nearest first."""
    found: dict[str, Lesson] = {}
    todo = list(lesson.requires)
    while todo and catalog is not None:
        required = catalog.get(todo.pop(0))
        if required is not None and required.id not in found and required.id != lesson.id:
            found[required.id] = required
            todo += required.requires
    return list(found.values())


def _taught(lesson: Lesson) -> set[str]:
    """The names a lesson shows its learner along the way (its prose and its steps' code)."""
    found = names(lesson.summary) | set().union(*(names(o) for o in lesson.objectives))
    for step in lesson.steps:
        found |= names(step.text) | names(step.task or "")
    return found


def answer_leaks(lesson: Lesson, catalog: Catalog | None = None) -> list[str]:
    """A warning for each text read before a prediction that gives its answer away, and for each
    prediction whose answer a required lesson already showed (unless the question reviews it)."""
    toml = lesson.path / LESSON_FILE
    lines = key_lines(toml.read_text(encoding="utf-8")) if toml.exists() else {}
    warnings = []
    required = _prerequisites(lesson, catalog)
    for index, prediction in enumerate(lesson.predictions):
        if not any(s.prediction == prediction.id for s in lesson.steps):
            continue
        answer = f"predictions[{prediction.id}] ({prediction.marked.text!r})"
        read_before = _read_before(lesson, prediction)
        read = [(path, key, sentence) for path, key, text in read_before
                for sentence in _SENTENCE.split(_prose(text)) if sentence.strip()]
        topic = _topic([sentence for _, _, sentence in read] + [lesson.title])
        for path, key, sentence in read:
            prose = path[0] == "steps" and path[2] != "title"
            found = leaking_words(sentence, prediction, topic, prose)
            if found is None:
                continue
            how, words = found
            said = " ".join(sentence.split())
            said = said if len(said) <= 100 else said[:97] + "..."
            what = (f"gives away the answer to {answer}" if how == "answer" else
                    f"gives away part of predictions[{prediction.id}]: it {how}")
            warnings.append(f"{toml}:{line_of(lines, path)}: {key}: {what}: {said!r} "
                            f"(shared words: {', '.join(sorted(words))})")
        turns_on = answer_names(prediction)
        for path, key, text in read_before:
            shown = turns_on.shown_in(text)
            if shown:
                warnings.append(f"{toml}:{line_of(lines, path)}: {key}: shows {_listed(shown)} before "
                                f"{answer} is asked, a name its answer turns on: let the question's "
                                f"own code show what it needs")
        question = " ".join(prediction.question.lower().split())
        own = set().union(*(names(text) for _, _, text in read_before))
        taught = [(other, turns_on.taught_by(other, own)) for other in required]
        taught = [(other, shown) for other, shown in taught if shown]
        if taught and not any(other.title.lower() in question for other, _ in taught):
            other, shown = taught[0]
            warnings.append(f"{toml}:{line_of(lines, ('predictions', index, 'question'))}: "
                            f"predictions[{prediction.id}].question: its answer turns on "
                            f"{_listed(shown)}, which {other.title!r} (a lesson this one "
                            f"requires) already shows: frame it as review by naming that "
                            f"lesson in the question, or ask what it did not teach")
    return warnings


def _listed(found: set[str]) -> str:
    return ", ".join(f"`{name}`" for name in sorted(found))


TOPIC_SENTENCES = 2  # a concept in more sentences than this is what the lesson is about


def _topic(sentences: list[str]) -> set[str]:
    """Concepts of the lesson's subject: in the title, or in many of the sentences read."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for c in set(concepts(sentence)):
            counts[c] = counts.get(c, 0) + 1
    topic = {c for c, n in counts.items() if n > TOPIC_SENTENCES}
    return topic | set(concepts(sentences[-1]))


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks: code shows how, it does not state answers."""
    return re.sub(r"```.*?(```|$)", " ", text, flags=re.S)
