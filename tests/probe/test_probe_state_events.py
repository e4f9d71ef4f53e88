"""zero_grad, save, load and load_state_dict events, grad_enabled on forward events: what they say,
in the real sandbox too, and proof that instrumenting these calls changes nothing the program sees."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
import torch

import modbox
from modbox.lessons.checks import evaluate_one
from modbox.lessons.model import Check
from modbox.probe import Probe
from tests.support.probe import FILENAME, run

PACKAGE = Path(modbox.__file__).resolve().parent

HEADER = """
import torch
from torch import nn
torch.manual_seed(0)
"""


def line_of(source: str, text: str, nth: int = 0) -> int:
    return [i for i, line in enumerate(source.split("\n"), 1) if text in line][nth]


def test_zero_grad_of_an_optimizer_and_of_a_module_with_set_to_none():
    source = HEADER + (
        "model = nn.Linear(2, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "model(torch.ones(1, 2)).sum().backward()\n"
        "opt.zero_grad()\n"
        "model(torch.ones(1, 2)).sum().backward()\n"
        "model.zero_grad(set_to_none=False)\n"
        "opt.zero_grad(False)\n"
        "print(model.weight.grad)\n"
    )
    r = run(source)
    assert r.error is None
    events = r.of_kind("zero_grad")
    assert [(e.model, e.cls, e.line, e.detail) for e in events] == [
        ("model", "SGD", line_of(source, "opt.zero_grad()"), {"by": "optimizer", "set_to_none": True}),
        ("model", "Linear", line_of(source, "model.zero_grad"), {"by": "module", "set_to_none": False}),
        ("model", "SGD", line_of(source, "opt.zero_grad(False)"), {"by": "optimizer", "set_to_none": False}),
    ]
    assert r.namespace["model"].weight.grad is not None  # set_to_none=False kept zero tensors
    assert torch.equal(r.namespace["model"].weight.grad, torch.zeros(1, 2))


def test_save_and_load_say_what_was_saved_and_which_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = HEADER + (
        "model = nn.Linear(2, 1)\n"
        "torch.save(model.state_dict(), 'weights.pt')\n"
        "torch.save(model, 'whole.pt')\n"
        "torch.save({'model': model.state_dict(), 'epoch': 3}, 'checkpoint.pt')\n"
        "state = torch.load('weights.pt')\n"
        "try:\n"
        "    torch.load('whole.pt')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
    )
    r = run(source)
    assert r.error is None
    saves = [(e.detail["what"], e.detail["file"], e.line) for e in r.of_kind("save")]
    assert saves == [("state_dict", "weights.pt", line_of(source, "'weights.pt')")),
                     ("module", "whole.pt", line_of(source, "'whole.pt')")),
                     ("dict", "checkpoint.pt", line_of(source, "'checkpoint.pt')"))]
    assert r.of_kind("save")[0].detail["keys"] == ["weight", "bias"]
    assert r.of_kind("save")[1].model == "model" and r.of_kind("save")[1].cls == "Linear"
    loads = r.of_kind("load")
    assert loads[0].detail["what"] == "state_dict" and loads[0].detail["file"] == "weights.pt"
    assert loads[1].detail["error"].startswith("UnpicklingError: Weights only load failed")
    assert "what" not in loads[1].detail


def test_load_state_dict_reports_strict_missing_unexpected_and_errors():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))\n"
        "partial = {'0.weight': torch.zeros(2, 2), 'extra': torch.zeros(1)}\n"
        "result = model.load_state_dict(partial, strict=False)\n"
        "try:\n"
        "    model.load_state_dict(partial)\n"
        "except RuntimeError:\n"
        "    pass\n"
        "model.load_state_dict(model.state_dict())\n"
    )
    r = run(source)
    assert r.error is None
    first, failed, clean = r.of_kind("load_state_dict")
    assert (first.model, first.path, first.cls, first.line) == (
        "model", "", "Sequential", line_of(source, "strict=False"))
    assert first.detail == {"strict": False, "assign": False, "missing": ["0.bias", "1.weight", "1.bias"],
                            "unexpected": ["extra"], "missing_count": 3, "unexpected_count": 1}
    assert failed.detail["strict"] is True
    assert failed.detail["error"].startswith("RuntimeError: Error(s) in loading state_dict for Sequential")
    assert clean.detail["missing"] == [] and clean.detail["unexpected"] == []
    assert torch.equal(r.namespace["model"][0].weight, torch.zeros(2, 2))  # the load really happened


def test_forward_events_say_whether_autograd_was_recording():
    r = run(HEADER + (
        "model = nn.Linear(2, 1)\n"
        "model(torch.ones(1, 2))\n"
        "with torch.no_grad():\n"
        "    model(torch.ones(1, 2))\n"
        "with torch.inference_mode():\n"
        "    model(torch.ones(1, 2))\n"
    ))
    assert [(e.kind, e.grad_enabled) for e in r.events] == [
        ("forward_pre", True), ("forward", True), ("forward_pre", False), ("forward", False),
        ("forward_pre", False), ("forward", False)]


def _plain_and_probed(source: str, tmp_path):
    """(value, error) of running ``source`` without and with the probe, in a fresh namespace."""
    import linecache

    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    code = compile(source, FILENAME, "exec")
    out = []
    for probed in (False, True):
        namespace = {"__name__": "__main__", "folder": str(tmp_path)}
        probe = Probe(FILENAME, emit=lambda event: None)
        if probed:
            probe.install()
        try:
            exec(code, namespace)
            out.append((namespace.get("result"), None))
        except Exception as error:
            out.append((None, error))
        finally:
            probe.uninstall()
    return out


@pytest.mark.parametrize("call", [
    "torch.load(folder + '/nothing.pt')",
    "nn.Linear(2, 2).load_state_dict({'weight': torch.zeros(3, 3)})",
    "torch.save(nn.Linear(2, 2), folder)",
    "torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1).zero_grad(set_to_none=1, nope=2)",
    "nn.Linear(2, 2).zero_grad(nope=2)",
])
def test_errors_of_patched_calls_are_unchanged_and_the_probe_is_not_in_the_traceback(call, tmp_path):
    source = HEADER + f"def go():\n    return {call}\ngo()\n"
    (_, plain), (_, probed) = _plain_and_probed(source, tmp_path)
    assert plain is not None
    assert type(probed) is type(plain) and str(probed) == str(plain)
    plain_frames = [(f.name, f.lineno) for f in traceback.extract_tb(plain.__traceback__)]
    probed_frames = traceback.extract_tb(probed.__traceback__)
    assert not [f for f in probed_frames if PACKAGE in Path(f.filename).resolve().parents]
    assert [(f.name, f.lineno) for f in probed_frames] == plain_frames


def test_patched_calls_return_what_torch_returns(tmp_path):
    source = HEADER + (
        "model = nn.Linear(2, 2)\n"
        "torch.save(model.state_dict(), folder + '/w.pt')\n"
        "loaded = torch.load(folder + '/w.pt')\n"
        "keys = model.load_state_dict(loaded, strict=False)\n"
        "result = (type(loaded).__name__, list(loaded), type(keys).__name__, keys.missing_keys,\n"
        "          model.zero_grad(), torch.optim.SGD(model.parameters(), lr=1).zero_grad())\n"
    )
    (plain, _), (probed, _) = _plain_and_probed(source, tmp_path)
    assert plain == probed == ("OrderedDict", ["weight", "bias"], "_IncompatibleKeys", [], None, None)


# ------------------------------------------------------------------ through the real sandbox


@pytest.mark.slow
def test_state_events_and_the_events_check_through_the_sandbox(sandbox_plain):
    source = HEADER + (
        "model = nn.Linear(2, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "for step in range(3):\n"
        "    opt.zero_grad()\n"
        "    model(torch.ones(1, 2)).sum().backward()\n"
        "    opt.step()\n"
        "with torch.no_grad():\n"
        "    model(torch.ones(1, 2))\n"
        "torch.save(model.state_dict(), 'weights.pt')\n"
        "fresh = nn.Linear(2, 1)\n"
        "fresh.load_state_dict(torch.load('weights.pt'))\n"
    )
    report = sandbox_plain.run(source, filename="main.py")
    assert report.ok, report.error

    def check(**options):
        return evaluate_one(Check("c", "events", "label", "fail {actual}", None, options), report)

    assert check(event="zero_grad", count=3).passed
    wrong = check(event="zero_grad", count=2)
    assert not wrong.passed and wrong.actual == f"3 zero_grad events (lines {line_of(source, 'opt.zero_grad()')})"
    assert check(event="save", count=1, detail={"what": "state_dict"}).passed
    assert not check(event="save", count=1, detail={"what": "module"}).passed
    assert check(event="load", count=1, detail={"what": "state_dict", "file": "weights.pt"}).passed
    assert check(event="load_state_dict", sequence=[""], detail={"missing": [], "unexpected": []}).passed
    assert check(event="forward", count=1, grad_enabled=False).passed
    assert check(event="forward", count=3, grad_enabled=True).passed
    events = [e.kind for e in report.events if e.kind not in ("forward_pre", "forward", "backward",
                                                               "backward_pre")]
    assert events == ["zero_grad", "optimizer_step"] * 3 + ["save", "load", "load_state_dict"]


def test_uninstall_restores_the_patched_calls_exactly():
    from torch import nn

    def current():
        return (torch.save, torch.load, torch.serialization.save, torch.serialization.load,
                nn.Module.zero_grad, torch.optim.Optimizer.zero_grad, nn.Module.load_state_dict)

    before = current()
    probe = Probe(FILENAME, emit=lambda event: None)
    probe.install()
    assert all(a is not b for a, b in zip(current(), before))
    probe.uninstall()
    assert current() == before
