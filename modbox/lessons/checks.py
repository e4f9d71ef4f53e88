"""Lesson checks: declarative tests that are pure functions of a ``Report``.

Each kind of check is registered in ``KINDS`` with the keys it accepts, so the loader can reject
unknown kinds and keys, and ``evaluate`` can run it. A check passes or fails; when it fails, its
``fail`` text is shown with ``{actual}`` replaced by what the run really showed, in the learner's
terms. The kinds and their keys are documented for teachers in ``docs/lessons.md``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from modbox.report import (COMPARE_HELPER, ERROR_KINDS, EVENT_KINDS, FILE_HELPER, FINDING_KINDS,
                           LOAD_HELPER, VALUE_HELPER, Finding, Model, Report)

from modbox.lessons.model import Check


@dataclass(frozen=True)
class CheckResult:
    id: str
    label: str
    passed: bool
    message: str = ""  # the check's fail text, filled in; empty when it passed
    actual: str = ""  # what the run showed, in words
    evaluated: bool = True  # False: the run could not answer it, and ``message`` says why alone


@dataclass(frozen=True)
class Key:
    """One key a check kind accepts: its type and, where fixed, the values allowed."""

    type: str  # "str", "bool", "int", "number", "strings" (a list of strings), "ints" (a list of
    # integers), "any" (any TOML value)
    required: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    keys: dict[str, Key]
    evaluate: Callable[[Check, Report], tuple[bool, str]]  # -> (passed, actual)
    one_of: tuple[str, ...] = ()  # at least one of these keys must be given
    needs_model: bool = True
    # The kind reads what the program did or left when it finished (events, final values): a run
    # that stopped early would make it pass or fail for the wrong reason.
    needs_end: bool = False
    # Expressions the sandbox must evaluate after the run for this check (see ``expressions``).
    asks: Callable[[Check], list[str]] | None = None
    reference: bool = False  # the check compares with the lesson's solution.py (Check.reference)


KINDS: dict[str, Kind] = {}

COUNT_OF = ("params", "trainable_params", "param_tensors", "buffers", "modules", "lazy_params")


def expressions(checks: tuple[Check, ...] | list[Check]) -> list[str]:
    """What the sandbox evaluates in the program's final namespace for these checks, in order
    (``Sandbox.run(..., evaluate=...)``); the answers come back in ``Report.values``."""
    asked: list[str] = []
    for check in checks:
        kind = KINDS.get(check.kind)
        if kind is not None and kind.asks is not None:
            asked += [e for e in kind.asks(check) if e not in asked]
    return asked


def evaluate(checks: tuple[Check, ...] | list[Check], report: Report,
             overrides: tuple[str, ...] = ()) -> list[CheckResult]:
    """Run every check against ``report``, in the lesson's order. ``overrides``: the methods
    the lesson lets the learner's classes define (``Lesson.overrides``)."""
    return [evaluate_one(check, report, overrides) for check in checks]


def tampering(report: Report, overrides: tuple[str, ...] = ()) -> list[Finding]:
    """What the run changed that checks rely on, less what the lesson allows."""
    return [f for f in report.tampering if f.name not in overrides]


def evaluate_one(check: Check, report: Report, overrides: tuple[str, ...] = ()) -> CheckResult:
    kind = KINDS[check.kind]
    tampered = tampering(report, overrides)
    if tampered:
        message = f"No check can trust this run: {tampered[0].message}"
        if len(tampered) > 1:
            message += f" ({len(tampered) - 1} more such change{'s' if len(tampered) > 2 else ''})"
        return CheckResult(check.id, check.label, False, message, message, evaluated=False)
    if kind.needs_end and not report.ok:
        message = _stopped(report, ", so this cannot be checked until it runs to the end")
        return CheckResult(check.id, check.label, False, message, message, evaluated=False)
    if kind.needs_model and _model(check, report) is None:
        message = _no_model(check, report)
        return CheckResult(check.id, check.label, False, message, message, evaluated=False)
    passed, actual = kind.evaluate(check, report)
    message = "" if passed else check.fail.replace("{actual}", actual)
    return CheckResult(check.id, check.label, passed, message, actual)


def _register(name: str, keys: dict[str, Key], one_of: tuple[str, ...] = (), needs_model=True,
              asks: Callable[[Check], list[str]] | None = None, needs_end=False, reference=False):
    def wrap(func: Callable[[Check, Report], tuple[bool, str]]):
        KINDS[name] = Kind(name, keys, func, one_of, needs_model=needs_model, asks=asks,
                           needs_end=needs_end, reference=reference)
        return func

    return wrap


def _model(check: Check, report: Report) -> Model | None:
    return report.model(check.model)


def _no_model(check: Check, report: Report) -> str:
    """Said instead of the check's own message: there is no model to check."""
    if report.error is not None:
        return _stopped(report, " before it left a model to check")
    if check.model:
        return f"No nn.Module named `{check.model}` was left in a top-level variable."
    return ("No nn.Module was left in a top-level variable (like `model = Net()`), so there is "
            "nothing to check yet.")


def _stopped(report: Report, consequence: str) -> str:
    """Why a run that did not reach its end cannot answer a check."""
    error = report.error
    if error is None:
        return f"The run did not reach its end{consequence}."
    where = f", line {error.line}" if error.line else ""
    return f"The run stopped ({error.kind}{where}){consequence}."


def _names(names: list[str], shown: int = 12) -> str:
    """A list as the learner reads it; a long one is cut (nobody reads 10,000 paths in a message)."""
    if not names:
        return "nothing"
    more = f", ... ({len(names) - shown:,} more)" if len(names) > shown else ""
    return "[" + ", ".join(repr(n) for n in names[:shown]) + more + "]"


# ------------------------------------------------------------------ lists of names

_NAME_KEYS = {"has": Key("strings"), "lacks": Key("strings"), "equals": Key("strings")}


def _names_check(check: Check, names: list[str]) -> tuple[bool, str]:
    o = check.options
    present = set(names)
    ok = all(n in present for n in o.get("has", ()))
    ok = ok and not any(n in present for n in o.get("lacks", ()))
    if "equals" in o:
        ok = ok and names == list(o["equals"])
    return ok, _names(names)


@_register("modules", _NAME_KEYS, one_of=("has", "lacks", "equals"))
def _modules(check: Check, report: Report) -> tuple[bool, str]:
    """Dotted paths of the registered submodules (named_modules(), root left out)."""
    return _names_check(check, [m.path for m in _model(check, report).modules if m.path])


@_register("parameters", _NAME_KEYS, one_of=("has", "lacks", "equals"))
def _parameters(check: Check, report: Report) -> tuple[bool, str]:
    """Names from named_parameters() (a shared tensor once)."""
    return _names_check(check, [p.name for p in _model(check, report).parameters])


@_register("buffers", _NAME_KEYS, one_of=("has", "lacks", "equals"))
def _buffers(check: Check, report: Report) -> tuple[bool, str]:
    """Names from named_buffers(), persistent or not."""
    return _names_check(check, [b.name for b in _model(check, report).buffers])


@_register("state_dict", _NAME_KEYS, one_of=("has", "lacks", "equals"))
def _state_dict(check: Check, report: Report) -> tuple[bool, str]:
    """The keys of state_dict(), in order."""
    return _names_check(check, list(_model(check, report).state_dict_keys))


# ------------------------------------------------------------------ one module, counts, tensors


@_register("module", {"path": Key("str", required=True), "class": Key("str"),
                      "training": Key("bool")})
def _module(check: Check, report: Report) -> tuple[bool, str]:
    """One registered module: exists, and optionally its class and training flag."""
    o = check.options
    row = next((m for m in _model(check, report).modules if m.path == o["path"]), None)
    if row is None:
        return False, f"no module registered at {o['path']!r}"
    actual = f"{o['path']!r} is a {row.cls}, " + ("in training mode" if row.training else "in eval mode")
    ok = o.get("class", row.cls) == row.cls and o.get("training", row.training) == row.training
    return ok, actual


@_register("count", {"of": Key("str", required=True, values=COUNT_OF), "equals": Key("int"),
                     "at_least": Key("int"), "at_most": Key("int")},
           one_of=("equals", "at_least", "at_most"))
def _count(check: Check, report: Report) -> tuple[bool, str]:
    """A number: params, trainable_params, param_tensors, buffers, modules, lazy_params."""
    o = check.options
    model = _model(check, report)
    value = {
        "params": model.total_params,
        "trainable_params": model.trainable_params,
        "param_tensors": len(model.parameters),
        "buffers": len(model.buffers),
        "modules": len([m for m in model.modules if m.path]),
        "lazy_params": model.lazy_params,
    }[o["of"]]
    ok = value == o.get("equals", value)
    ok = ok and value >= o.get("at_least", value) and value <= o.get("at_most", value)
    return ok, f"{value:,}"


@_register("tensor", {"name": Key("str", required=True), "shape": Key("ints"), "dtype": Key("str"),
                      "device": Key("str"), "requires_grad": Key("bool"), "persistent": Key("bool")},
           one_of=("shape", "dtype", "device", "requires_grad", "persistent"))
def _tensor(check: Check, report: Report) -> tuple[bool, str]:
    """One parameter or buffer by name: shape, dtype, device, requires_grad, persistent."""
    o = check.options
    model = _model(check, report)
    param = next((p for p in model.parameters if p.name == o["name"]), None)
    buffer = next((b for b in model.buffers if b.name == o["name"]), None)
    row = param or buffer
    if row is None:
        return False, f"no parameter or buffer named {o['name']!r}"
    facts = {"dtype": _dtype(row.dtype), "device": row.device, "shape": list(row.shape)}
    facts["requires_grad"] = param.requires_grad if param else False
    ok = all(
        _dtype(o[k]) == facts[k] if k == "dtype" else o[k] == facts[k]
        for k in ("shape", "dtype", "device", "requires_grad") if k in o
    )
    if "persistent" in o:
        ok = ok and buffer is not None and buffer.persistent == o["persistent"]
    what = "parameter" if param else ("buffer" if buffer.persistent else "non-persistent buffer")
    grad = ", requires_grad=True" if facts["requires_grad"] else ""
    return ok, f"{o['name']!r} is a {facts['dtype']} {what} of shape {facts['shape']} on {row.device}{grad}"


def _dtype(name: str) -> str:
    return name.removeprefix("torch.")


# ------------------------------------------------------------------ findings, events, optimizer


@_register("finding", {"finding": Key("str", required=True, values=FINDING_KINDS),
                       "path": Key("str"), "present": Key("bool")})
def _finding(check: Check, report: Report) -> tuple[bool, str]:
    """A silent bug the inspector flags (one of the finding kinds), present or absent."""
    o = check.options
    found = [
        f for m in report.models if check.model in (None, m.name) for f in m.findings
        if f.kind == o["finding"] and o.get("path", f.path) == f.path
    ]
    where = f" at {o['path']!r}" if "path" in o else ""
    actual = f"{o['finding']}{where}: " + (found[0].message if found else "not found")
    return bool(found) == o.get("present", True), actual


@_register("events", {"event": Key("str", required=True, values=EVENT_KINDS),
                      "sequence": Key("strings"), "count": Key("int"), "at_least": Key("int"),
                      "hook_kind": Key("str"),
                      "field": Key("str", values=("path", "hook")),
                      "match": Key("str", values=("exact", "in_order")),
                      "grad_enabled": Key("bool"), "detail": Key("table"), "of": Key("str")},
           one_of=("sequence", "count", "at_least"), needs_model=False, needs_end=True)
def _events(check: Check, report: Report) -> tuple[bool, str]:
    """Events of one kind (e.g. forward, hook, zero_grad), filtered by hook kind, grad mode,
    detail and whose they are (``of``: only the events of the object the program left in that
    variable): their order (by module path or hook name), or how many there were (exactly, or
    at least)."""
    o = check.options
    attr = o.get("field", "path")
    detail = o.get("detail", {})
    owner = report.objects.get(o["of"], _MISSING) if "of" in o else None
    chosen = [
        e for e in report.events
        if e.kind == o["event"] and o.get("hook_kind", e.hook_kind) == e.hook_kind
        and check.model in (None, e.model) and (owner is None or e.obj == owner)
        and o.get("grad_enabled", e.grad_enabled) == e.grad_enabled
        and all(e.detail.get(k, _MISSING) == v for k, v in detail.items())
    ]
    seen = [getattr(e, attr) for e in chosen]
    ok = True
    if "count" in o:
        ok = len(chosen) == o["count"]
    if "at_least" in o:
        ok = ok and len(chosen) >= o["at_least"]
    if "sequence" in o:
        want = list(o["sequence"])
        if o.get("match", "exact") == "exact":
            ok = ok and seen == want
        else:
            rest = iter(seen)
            ok = ok and all(any(s == w for s in rest) for w in want)
    if "sequence" not in o:
        lines = sorted({e.line for e in chosen if e.line})
        where = f" (lines {', '.join(map(str, lines))})" if lines else ""
        return ok, f"{len(chosen)} {o['event']} event{'s' if len(chosen) != 1 else ''}{where}"
    return ok, _names(seen)


_MISSING = object()


@_register("optimizer", {"changed": Key("strings"), "unchanged": Key("strings")},
           one_of=("changed", "unchanged"), needs_model=False, needs_end=True)
def _optimizer(check: Check, report: Report) -> tuple[bool, str]:
    """Which parameters an optimizer step changed, and which it left alone."""
    o = check.options
    steps = [e for e in report.events if e.kind == "optimizer_step" and check.model in (None, e.model)]
    if not steps:
        return False, "no optimizer step ran"
    changed = {n for e in steps for n in e.detail.get("changed", ())}
    ok = all(n in changed for n in o.get("changed", ())) and not any(
        n in changed for n in o.get("unchanged", ())
    )
    ordered = [n for e in steps for n in e.detail.get("changed", ())]
    return ok, "changed: " + _names(list(dict.fromkeys(ordered)))


# ------------------------------------------------------------------ output and outcome


@_register("output", {"contains": Key("str", required=True), "present": Key("bool"),
                      "stream": Key("str", values=("stdout", "stderr"))},
           needs_model=False)
def _output(check: Check, report: Report) -> tuple[bool, str]:
    """Text the program printed (stdout by default), present or absent."""
    o = check.options
    text = getattr(report, o.get("stream", "stdout"))
    found = o["contains"] in text
    tail = text.strip().splitlines()[-3:]
    actual = "the output ends with: " + " / ".join(tail) if tail else "nothing was printed"
    return found == o.get("present", True), actual


@_register("outcome", {"is": Key("str", required=True, values=("ok",) + ERROR_KINDS),
                       "message_contains": Key("str")},
           needs_model=False)
def _outcome(check: Check, report: Report) -> tuple[bool, str]:
    """How the run ended: ok, or an error kind (with its message)."""
    o = check.options
    if report.ok or report.error is None:
        return o["is"] == "ok", "the program ran to the end"
    error = report.error
    ok = o["is"] == error.kind and o.get("message_contains", "") in f"{error.message}\n{error.traceback}"
    return ok, f"{error.kind}: {error.message}"


# ------------------------------------------------------------------ the program's final state

TOLERANCE = 1e-6  # relative, for floats compared by a `value` check


def _answer(expr: str, report: Report, untried: str | None = None) -> tuple[Any, str | None]:
    """The Value of ``expr``, or None and why there is none (the run itself reached its end).
    ``untried`` says that in the learner's terms when ``expr`` is modbox's own, not the lesson's."""
    value = report.value(expr)
    if value is None:
        return None, untried or f"`{expr}` was not evaluated in this run"
    return value, None


def _value_expression(check: Check) -> str:
    """What the run evaluates for a value check: the expression itself, or, with
    ``equals_solution``, a comparison of its value in the program and in the solution."""
    o = check.options
    if not o.get("equals_solution"):
        return o["expr"]
    spec = {"expr": o["expr"], "reference": check.reference}
    if "tolerance" in o:
        spec["tolerance"] = o["tolerance"]
    return _helper_call(VALUE_HELPER, spec)


@_register("value", {"expr": Key("str", required=True), "equals": Key("any"),
                     "equals_solution": Key("bool"), "tolerance": Key("number")},
           needs_model=False, asks=lambda check: [_value_expression(check)], needs_end=True,
           reference=True)
def _value(check: Check, report: Report) -> tuple[bool, str]:
    """A Python expression evaluated in the program's final namespace: equal to ``equals``
    (floats within ``tolerance``), to the same expression in the lesson's solution
    (``equals_solution``), or truthy without either."""
    o = check.options
    if o.get("equals_solution"):
        return _harness_answer(_value_expression(check), report,
                               f"`{o['expr']}` was not compared with the solution in this run")
    value, why = _answer(o["expr"], report)
    if value is None:
        return False, why
    if not value.ok:
        return False, value.repr
    if "equals" not in o:
        return value.truthy, value.repr
    return same(value.value, o["equals"], o.get("tolerance", TOLERANCE)), value.repr


def same(actual: Any, expected: Any, tolerance: float = TOLERANCE) -> bool:
    """TOML ``expected`` against JSON ``actual``: booleans only equal booleans, numbers compare
    with a relative ``tolerance`` when either is a float, lists item by item."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if isinstance(expected, int) and isinstance(actual, int):
            return actual == expected
        return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance * 1e-3)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(same(a, e, tolerance) for a, e in zip(actual, expected)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(same(actual[k], expected[k], tolerance) for k in expected))
    return type(actual) is type(expected) and actual == expected


def _load_expression(check: Check) -> str:
    return f"{LOAD_HELPER}({check.model or 'model'}, {check.options['state_dict']})"


@_register("load", {"state_dict": Key("str", required=True), "missing": Key("strings"),
                    "unexpected": Key("strings")},
           one_of=("missing", "unexpected"), needs_model=False,
           asks=lambda check: [_load_expression(check)], needs_end=True)
def _load(check: Check, report: Report) -> tuple[bool, str]:
    """``model.load_state_dict(state_dict, strict=False)`` on a copy of the model: these missing
    and unexpected keys (``[]``: none), in any order."""
    o = check.options
    into = check.model or "model"
    untried = f"loading `{o['state_dict']}` into `{into}` was not tried in this run"
    value, why = _answer(_load_expression(check), report, untried)
    if value is None:
        return False, why
    if not value.ok:
        return False, f"loading {o['state_dict']} into {into} raised {value.repr}"
    got = value.value if isinstance(value.value, dict) else {}
    missing, unexpected = list(got.get("missing") or []), list(got.get("unexpected") or [])
    ok = all(sorted(o[k]) == sorted(seen) for k, seen in (("missing", missing),
                                                          ("unexpected", unexpected)) if k in o)
    return ok, f"missing keys {_names(missing)}, unexpected keys {_names(unexpected)}"


# ------------------------------------------------------------------ against the reference

COMPARABLE = ("structure", "outputs", "grads", "buffers", "events", "state", "result")


def _helper_call(helper: str, spec: dict) -> str:
    return f"{helper}({json.dumps(spec, sort_keys=True)!r})"


def _differential_expression(check: Check) -> str:
    spec = dict(check.options, reference=check.reference)
    if check.model:
        spec["name"] = check.model
    return _helper_call(COMPARE_HELPER, spec)


def _file_expression(check: Check) -> str:
    return _helper_call(FILE_HELPER, dict(check.options, reference=check.reference,
                                          model=check.model or "model"))


def _harness_answer(expr: str, report: Report, untried: str) -> tuple[bool, str]:
    value, why = _answer(expr, report, untried)
    if value is None:
        return False, why
    if not value.ok:
        return False, value.repr
    data = value.value if isinstance(value.value, dict) else {}
    return data.get("ok") is True, str(data.get("message", value.repr))


@_register("differential", {"class": Key("str"), "configs": Key("any"),
                            "input": Key("str"), "call": Key("str"), "compare": Key("strings"),
                            "tolerance": Key("number")},
           needs_model=False, asks=lambda check: [_differential_expression(check)],
           needs_end=True, reference=True)
def _differential(check: Check, report: Report) -> tuple[bool, str]:
    """The learner's class built beside the reference's for each configuration: structure,
    outputs, gradients, buffers and the modules that ran; or, with ``call``, a training loop
    run on both and the state it leaves (see modbox/probe/differential.py)."""
    return _harness_answer(_differential_expression(check), report,
                           "the comparison with the reference was not run")


@_register("file", {"file": Key("str", required=True), "class": Key("str", required=True),
                    "config": Key("table"), "key": Key("str"), "tolerance": Key("number")},
           needs_model=False, asks=lambda check: [_file_expression(check)], needs_end=True,
           reference=True)
def _file(check: Check, report: Report) -> tuple[bool, str]:
    """A file the run wrote, loaded into a fresh instance of the reference class, compared
    with the model the check names."""
    return _harness_answer(_file_expression(check), report, "the file was not checked")
