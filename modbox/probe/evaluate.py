"""Expressions a lesson's checks ask about, evaluated in the program's final namespace.

After the learner's program ran to the end (and the probe is uninstalled and the models are
inspected, so nothing here adds events or findings), each expression is evaluated sealed: its
builtins, ``torch``, ``nn``, ``F`` and ``math`` are modbox's own, captured before the program
ran (see ``sealed``), and every other name it reads is the program's global of that name. Each expression gets its own ``try``: one that raises never hides the others. Each
answer is a dict shaped like ``modbox.report.Value``: the value as JSON data when it is plain
(numbers, strings, booleans, None, lists and string-keyed dicts of them, small tensors as
lists), and a short ``repr`` or the exception it raised.

What an expression prints is kept out of the learner's output, and each has a time limit, so a
check can neither flood the Output pane nor hang the run.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import io
import math
import signal
import time

import torch
from torch import nn

from modbox.probe import differential, sealed
from modbox.report import COMPARE_HELPER, FILE_HELPER, LOAD_HELPER, VALUE_HELPER

SECONDS = 2.0  # each expression's time limit (the run's own wall clock still bounds them all)
# A comparison with the reference runs the lesson's solution and builds and runs both models
# for every configuration: seconds on a loaded machine (a solution that compiles). The run's own
# wall clock still bounds it.
HARNESS_SECONDS = 20.0
REPR_CHARS = 200
MAX_ITEMS = 10_000  # elements of a value sent as data; a bigger value is sent as its repr only


class _TimeLimit(BaseException):
    """Not an Exception: the harness's ``except Exception`` (a learner's class may raise
    anything) lets it through to the expression's own handler."""


def _expired(signum, frame):
    raise _TimeLimit()


def copy_and_load(model, state_dict) -> dict:
    """What ``model.load_state_dict(state_dict, strict=False)`` reports, on a deep copy of
    ``model`` so that the learner's model never changes. Raises what loading raises."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"expected an nn.Module to load into, got {type(model).__name__}")
    result = sealed.load_state_dict(copy.deepcopy(model), state_dict, strict=False)
    return {"missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys)}


def evaluate(namespace: dict, expressions: list[str], deadline: float | None = None,
             folder: str | None = None) -> list[dict]:
    """One answer per expression, in order. ``deadline`` (``time.monotonic()``) ends them all.
    ``folder``: the run's own folder, where the files it wrote are."""
    helpers = {
        LOAD_HELPER: copy_and_load,
        COMPARE_HELPER: functools.partial(differential.compare_with_reference, namespace, folder),
        FILE_HELPER: functools.partial(differential.compare_with_file, namespace, folder),
        VALUE_HELPER: functools.partial(differential.compare_value, namespace, folder),
    }
    out = []
    previous = signal.signal(signal.SIGALRM, _expired)
    try:
        for expr in expressions:
            harness = expr.startswith((COMPARE_HELPER, FILE_HELPER, VALUE_HELPER))
            limit = HARNESS_SECONDS if harness else SECONDS
            left = limit if deadline is None else min(limit, deadline - time.monotonic())
            if left <= 0:
                out.append(_answer(expr, error="not evaluated: the run used up its time limit"))
                continue
            out.append(_one(expr, namespace, helpers, left))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return out


def _one(expr: str, namespace: dict, helpers: dict, seconds: float) -> dict:
    sink = _Discard()
    try:
        tree = ast.parse(expr, "<check>", "eval")
        code = compile(tree, "<check>", "eval", dont_inherit=True)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                value = eval(code, sealed.sealed_globals(tree, namespace), dict(helpers))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _TimeLimit:
        return _answer(expr, error=f"not evaluated: it took longer than {seconds:g} s")
    except BaseException as e:  # noqa: BLE001 (a check's expression may raise anything)
        return _answer(expr, error=_exception(e))
    try:
        return _answer(expr, value=value)
    except BaseException as e:  # noqa: BLE001 (a learner's __repr__ or __bool__ may raise)
        return _answer(expr, error=f"its value cannot be shown: {_exception(e)}")


def _answer(expr: str, value=None, error: str | None = None) -> dict:
    if error is not None:
        return {"expr": expr, "ok": False, "value": None, "truthy": False, "repr": error}
    return {"expr": expr, "ok": True, "value": _data(value), "truthy": bool(value),
            "repr": _short(value)}


def _exception(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= REPR_CHARS else text[: REPR_CHARS - 3] + "..."


def _data(value, budget: list | None = None):
    """``value`` as JSON data, or None when it is not plain data or too big to send."""
    budget = [MAX_ITEMS] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, torch.Tensor):
        if value.is_meta or value.numel() > budget[0] or value.is_complex():
            return None
        budget[0] -= value.numel()
        return value.detach().cpu().tolist()
    if isinstance(value, (list, tuple)):  # torch.Size too
        items = [_data(v, budget) for v in value]
        return None if budget[0] < 0 else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _data(v, budget) for k, v in value.items()}
        return None if budget[0] < 0 else items
    return None


class _Discard(io.TextIOBase):
    """Output of an expression: not shown (it is not the learner's program printing)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)
