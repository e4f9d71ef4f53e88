"""A fake engine for the lesson player tests: Reports shaped like the real inspector's for the
programs of the frozen registration lesson in ``tests/fixtures/lessons`` (its observe snippets,
its myth, and drafts of its ``Net``).

What each lesson program prints is what it prints on torch 2.13 in the real sandbox; drafts of
``Net`` are read the way nn.Module would treat them: an assignment before ``super().__init__()``
raises, only ``self.x = nn.Linear(...)`` registers a layer, only ``nn.Parameter`` a parameter.
"""

from __future__ import annotations

import re

from modbox.lessons.loader import load_lesson
from modbox.report import Error, ParameterRow, Report, Timing
from tests.support import TESTS
from tests.support.ui_reports import mlp_model


# The lessons these reports fit: copies that stay as they are when the built-in lessons change.
LESSONS = TESTS / "fixtures" / "lessons"
REGISTRATION = load_lesson(LESSONS / "registration")

PRINTED = {
    REGISTRATION.prediction("q-early").observe:
        "AttributeError: cannot assign module before Module.__init__() call\nerror\n",
    REGISTRATION.prediction("q-tensor").observe: "parameters: 0\nzero\n",
    REGISTRATION.myth.code:
        "submodules: ['out']\nparameters: ['out.weight', 'out.bias']\n",
}

_LAYER = re.compile(r"^\s*self\.(\w+) = nn\.Linear\((\d+), (\d+)\)")


def _line_of(source: str, text: str) -> int | None:
    return next((i for i, line in enumerate(source.splitlines(), 1) if text in line), None)


def net_report(source: str) -> Report:
    """What the sandbox reports for a draft of the registration lesson's ``Net``."""
    timing = Timing(run=6.0, total=11.0)
    lines = source.splitlines()
    super_at = _line_of(source, "super().__init__()") or len(lines) + 1
    layers = []
    for number, line in enumerate(lines, 1):
        match = _LAYER.match(line)
        if match is None:
            continue
        if number < super_at:
            return Report(ok=False, sandbox="bwrap", timing=timing, error=Error(
                kind="exception", line=number,
                message="AttributeError: cannot assign module before Module.__init__() call",
                traceback=f'  File "main.py", line {number}, in __init__\n    {line.strip()}\n'
                          "AttributeError: cannot assign module before Module.__init__() call\n"))
        layers.append((match.group(1), int(match.group(2)), int(match.group(3))))
    model = mlp_model(layers)
    model.cls = model.modules[0].cls = "Net"
    if "self.scale = nn.Parameter(" in source:
        model.parameters.insert(0, ParameterRow(name="scale", shape=[2], numel=2, dtype="float32",
                                                device="cpu", requires_grad=True, has_grad=False))
        model.state_dict_keys.insert(0, "scale")
        model.total_params += 2
        model.trainable_params += 2
    if "out" not in [name for name, _, _ in layers]:
        line = _line_of(source, "self.out(")
        return Report(ok=False, models=[model], sandbox="bwrap", timing=timing, error=Error(
            kind="exception", line=line, message="AttributeError: 'Net' object has no attribute 'out'",
            traceback=f'  File "main.py", line {line}, in forward\n'
                      "AttributeError: 'Net' object has no attribute 'out'\n"))
    names = [p.name for p in model.parameters]
    return Report(ok=True, models=[model], sandbox="bwrap", timing=timing,
                  stdout=f"torch.Size([3, 2])\nparameters: {names}\n")


def respond(source: str) -> Report:
    if source in PRINTED:
        return Report(ok=True, sandbox="bwrap", timing=Timing(run=4.0, total=9.0), stdout=PRINTED[source])
    if "class Net(nn.Module)" in source:
        return net_report(source)
    return Report(ok=True, sandbox="bwrap", timing=Timing(run=3.0, total=7.0), stdout="")
