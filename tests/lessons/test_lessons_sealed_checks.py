"""Checks that the program they judge cannot answer for itself, on the real sandbox: the sealed
evaluator and ``tampering``, differential checks against a reference, file checks, events of
the task's own objects, and modules built during forward wherever they go."""

from __future__ import annotations

import textwrap

import pytest

from modbox.lessons import checks
from modbox.lessons.model import Check

pytestmark = pytest.mark.slow


def check(kind: str, reference: str = "", **options) -> Check:
    return Check("c", kind, "label", "{actual}", options.pop("model", None), options,
                 reference=reference)


def evaluated(sandbox, source: str, *asked: Check, overrides=()):
    report = sandbox.run(textwrap.dedent(source), filename="main.py",
                         evaluate=checks.expressions(asked))
    return report, checks.evaluate(asked, report, overrides)


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(source).splitlines(), 1) if text in line)


# ------------------------------------------------------------------ the sealed evaluator


def test_names_the_program_shadows_do_not_change_what_a_check_computes(sandbox_plain):
    source = """\
        import torch
        a, b = torch.zeros(2), torch.ones(2)
        class Lenient:
            def __getattr__(self, name):
                return lambda *args, **kwargs: True
        torch = nn = Lenient()
        all = any = len = lambda *args: True
        """
    asked = [check("value", expr="torch.equal(a, b)", equals=False),
             check("value", expr="all([False])", equals=False),
             check("value", expr="len(a)", equals=2),
             check("value", expr="isinstance(nn.Linear(1, 1), nn.Module)", equals=True)]
    report, results = evaluated(sandbox_plain, source, *asked)
    assert report.ok, report.error
    assert report.tampering == []
    assert [r.passed for r in results] == [True] * 4, [r.actual for r in results]


def test_a_program_that_replaces_torch_equal_fails_every_check_at_its_line(sandbox_plain):
    source = """\
        import torch
        from torch import nn
        model = nn.Linear(2, 1)
        a, b = torch.zeros(2), torch.ones(2)
        torch.equal = lambda x, y: True
        """
    asked = [check("outcome", **{"is": "ok"}), check("value", expr="torch.equal(a, b)"),
             check("count", of="params", equals=3)]
    report, results = evaluated(sandbox_plain, source, *asked)
    line = line_of(source, "torch.equal =")
    assert [(f.kind, f.name, f.line) for f in report.tampering] == [("tampering", "torch.equal", line)]
    assert not any(r.passed for r in results)
    assert all(f"Line {line} replaced `torch.equal`" in r.message for r in results), results
    # the original is back before the checks run: the expression computed the true answer
    assert report.value("torch.equal(a, b)").value is False


@pytest.mark.parametrize("change, name", [
    ("torch.Tensor.data_ptr = lambda self: 0", "torch.Tensor.data_ptr"),
    ("nn.Module.state_dict = lambda self, *a, **k: {}", "nn.Module.state_dict"),
    ("import builtins\nbuiltins.sorted = lambda x, **k: list(x)", "builtins.sorted"),
    ("F.relu = torch.tanh", "torch.nn.functional.relu"),
    ("nn.Linear.forward = lambda self, x: x", "nn.Linear.forward"),
    ("torch.optim.SGD.step = lambda self, closure=None: None", "torch.optim.SGD.step"),
    ("def fake(*args):\n    return True\nsetattr(torch, 'all' + 'close', fake)", "torch.allclose"),
    ("name = 'eq' + 'ual'\nsetattr(torch, name, torch.allclose)", "torch.equal"),
    ("vars(torch)['all' + 'close'] = torch.equal", "torch.allclose"),
    ("del torch.equal", "torch.equal"),
    ("torch.export.load = lambda f: None", "torch.export.load"),
])
def test_every_kind_of_change_to_torch_or_builtins_is_found(sandbox_plain, change, name):
    source = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n" + change + "\n"
    report, results = evaluated(sandbox_plain, source, check("outcome", **{"is": "ok"}))
    assert name in [f.name for f in report.tampering], report.tampering
    assert not results[0].passed


def test_what_torch_changes_itself_is_not_tampering(sandbox_plain):
    # An optimizer's first step wraps its class's step; pickling caches __slotnames__ on
    # Tensor; importing dynamo wraps torch.manual_seed; torch.compile patches nn.Module: none
    # of it is the program's doing.
    source = """\
        import torch, io
        from torch import nn
        import torch._dynamo
        model = nn.Linear(2, 1)
        opt = torch.optim.Adam(model.parameters())
        model(torch.ones(1, 2)).sum().backward()
        opt.step()
        torch.save(model.state_dict(), io.BytesIO())
        torch.manual_seed(1)
        compiled = torch.compile(model, backend="eager")
        compiled(torch.ones(1, 2))
        """
    report, results = evaluated(sandbox_plain, source, check("outcome", **{"is": "ok"}))
    assert report.ok, report.error
    assert report.tampering == []
    assert results[0].passed


def test_what_torch_sets_on_an_exported_module_is_not_tampering(sandbox_plain):
    # ep.module() sets a `train` of torch's own on the module it returns
    source = """\
        import torch
        from torch import nn
        served = torch.export.export(nn.Linear(2, 1), (torch.ones(3, 2),)).module()
        """
    report, results = evaluated(sandbox_plain, source, check("outcome", **{"is": "ok"}))
    assert report.ok, report.error
    assert report.tampering == []
    assert results[0].passed


def test_a_torch_method_set_under_another_methods_name_is_tampering(sandbox_plain):
    source = """\
        import types
        import torch
        from torch import nn
        model = nn.Linear(2, 1)
        model.named_parameters = types.MethodType(nn.Module.named_buffers, model)
        """
    report, results = evaluated(sandbox_plain, source, check("count", of="params", equals=3))
    assert [f.name for f in report.tampering] == ["named_parameters"]
    assert not results[0].passed


def test_a_class_that_describes_itself_is_tampering_unless_the_lesson_allows_it(sandbox_plain):
    source = """\
        import torch
        from torch import nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
            def named_parameters(self, *args, **kwargs):
                return iter([])
        model = Net()
        """
    asked = [check("count", of="params", equals=6)]
    report, results = evaluated(sandbox_plain, source, *asked)
    assert [(f.name, f.line) for f in report.tampering] == [
        ("named_parameters", line_of(source, "def named_parameters"))]
    assert not results[0].passed and "defines its own `named_parameters`" in results[0].message
    assert checks.evaluate(asked, report, overrides=("named_parameters",))[0].passed


# ------------------------------------------------------------------ differential checks

REFERENCE = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, hidden=4):
        super().__init__()
        self.a = nn.Linear(3, hidden)
        self.bn = nn.BatchNorm1d(hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x):
        x = torch.relu(self.bn(self.a(x)))
        x = torch.nn.functional.dropout(x, 0.5, training=self.training)
        return self.out(x)


def train(model, steps=3):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3), torch.randn(8, 2)
    for _ in range(steps):
        opt.zero_grad()
        loss = (model(x) - y).pow(2).mean()
        loss.backward()
        opt.step()
    return loss.item()


model = Net()
train(model)
"""

DIFFERENTIAL = dict(configs=[{}, {"kwargs": {"hidden": 7}}, {"train": False}],
                    input="torch.randn(5, 3)")


def differential(sandbox, source: str, **options):
    spec = {**DIFFERENTIAL, **options}
    report, results = evaluated(sandbox, source, check("differential", REFERENCE, **{"class": "Net"}, **spec))
    assert report.ok, report.error
    return results[0]


def test_the_reference_itself_passes_a_differential_check(sandbox_plain):
    result = differential(sandbox_plain, REFERENCE)
    assert result.passed, result.actual
    result = differential(sandbox_plain, REFERENCE, call="train(model)",
                          compare=["structure", "state", "events", "result"])
    assert result.passed, result.actual


@pytest.mark.parametrize("change, message", [
    # right only for the default configuration
    (("nn.Linear(hidden, 2)", "nn.Linear(4, 2)"),
     "With `Net(hidden=7)`, `model.out` holds 10 parameters of its own; the reference's holds 16."),
    # a layer built in forward, in a local variable
    (("x = torch.relu(self.bn(self.a(x)))", "x = torch.relu(self.bn(nn.Linear(3, 4)(x)))"),
     "With `Net()`, one forward pass built 1 new module (Linear)"),
    # dropout follows the global model's mode (training, at the end), not this module's
    (("training=self.training", "training=model.training"),
     "With `Net()` in eval mode, the output differs from the reference's"),
    # no gradient reaches `a`
    (("self.bn(self.a(x))", "self.bn(self.a(x).detach())"),
     "With `Net()`, after backward(), `model.a.weight.grad` is None; the reference's is set."),
    # the running statistics move at another rate
    (("nn.BatchNorm1d(hidden)", "nn.BatchNorm1d(hidden, momentum=0.5)"),
     "With `Net()`, after three forward passes, `model.bn.running_mean` differs"),
    # the layer's forward called directly: its hooks never run
    (("self.out(x)", "self.out.forward(x)"),
     "With `Net()`, one forward pass runs `model.out` 0 times; the reference's runs it once."),
    # registered, but not used
    (("return self.out(x)", "return self.out(x) * 0 + self.out.bias"),
     "With `Net()`, the output differs from the reference's"),
])
def test_a_differential_check_names_the_first_difference(sandbox_plain, change, message):
    result = differential(sandbox_plain, REFERENCE.replace(*change))
    assert not result.passed
    assert message in result.message, result.message


@pytest.mark.parametrize("change, message", [
    (("        opt.zero_grad()\n", ""),
     "With `Net()`, after `train(model)`, `model.a.weight` differs from the reference's"),
    (("        opt.step()\n", "        decoy.step()\n"),
     "With `Net()`, `train(model)` steps an optimizer holding `model`'s parameters 0 times; "
     "the reference's 3 times."),
    (("        loss = (model(x) - y)", "        loss = (globals()['model'](x) - y)"),
     "With `Net()`, `train(model)` runs `model` forward 0 times; the reference's 3 times."),
])
def test_a_training_loop_is_compared_by_what_it_leaves_and_does(sandbox_plain, change, message):
    source = REFERENCE.replace(*change).replace(
        "    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
        "    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "    decoy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n")
    result = differential(sandbox_plain, source, call="train(model)")
    assert not result.passed
    assert message in result.message, result.message


def test_a_differential_check_without_a_class_compares_the_models_left(sandbox_plain):
    # trained with another learning rate: the numbers left differ
    asked = check("differential", REFERENCE, compare=["structure", "state"])
    report, (result,) = evaluated(sandbox_plain, REFERENCE.replace("lr=0.1", "lr=0.2"), asked)
    assert report.ok, report.error
    assert not result.passed
    assert result.message.startswith("At the end of the run, `model.a.weight` differs"), result.message


# ------------------------------------------------------------------ files are the truth

SAVE = """\
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

model = Net()
torch.save(model.state_dict(), "w.pt")
restored = Net()
restored.load_state_dict(torch.load("w.pt"))
"""


FROM_MEMORY = ('restored.load_state_dict(torch.load("w.pt"))',
               'restored.load_state_dict(model.state_dict())')


@pytest.mark.parametrize("changes, message", [
    ([], None),
    # other numbers in the file than in the model restored from memory
    ([("torch.save(model.state_dict()", "torch.save(Net().state_dict()"), FROM_MEMORY],
     "`restored.fc.weight` is not what `w.pt` holds (largest difference"),
    ([FROM_MEMORY, ("restored = Net()", "import os\nos.remove('w.pt')\nrestored = Net()")],
     "The run left no file `w.pt` in its folder."),
    ([("torch.save(model.state_dict()", "torch.save({'fc.weight': model.fc.weight}"), FROM_MEMORY],
     "`w.pt` does not fit a fresh `Net`: missing keys ['fc.bias']"),
    ([("torch.save(model.state_dict()", "torch.save(model"), FROM_MEMORY],
     "`w.pt` cannot be read with `torch.load(..., weights_only=True)`"),
])
def test_a_file_check_compares_the_file_itself_with_the_model(sandbox_plain, changes, message):
    source = SAVE
    for old, new in changes:
        assert old in source
        source = source.replace(old, new)
    report, results = evaluated(sandbox_plain, source,
                                check("file", SAVE, file="w.pt", model="restored", **{"class": "Net"}))
    assert report.ok, report.error
    if message is None:
        assert results[0].passed, results[0].actual
    else:
        assert not results[0].passed
        assert message in results[0].message, results[0].message


# ------------------------------------------------------------------ events of the task's objects


def test_events_of_a_named_object_leave_out_decoys(sandbox_plain):
    source = """\
        import torch
        from torch import nn
        model = nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        spare = torch.optim.SGD(model.parameters(), lr=0.1)
        other = nn.Linear(2, 1)
        for _ in range(3):
            spare.zero_grad()
            model(torch.ones(1, 2)).sum().backward()
            opt.step()
        other.load_state_dict(model.state_dict())
        with torch.no_grad():
            other(torch.ones(1, 2))
        """
    asked = [check("events", event="zero_grad", of="opt", count=0),
             check("events", event="zero_grad", of="spare", count=3),
             check("events", event="zero_grad", count=3),
             check("events", event="optimizer_step", of="opt", count=3),
             check("events", event="optimizer_step", of="spare", count=0),
             check("events", event="load_state_dict", of="model", count=0),
             check("events", event="load_state_dict", of="other", count=1),
             check("events", event="forward", of="model", count=3),
             check("events", event="forward", of="nothing_here", count=0)]
    report, results = evaluated(sandbox_plain, source, *asked)
    assert report.ok, report.error
    assert [r.passed for r in results] == [True] * len(asked), [r.actual for r in results]


# ------------------------------------------------------------------ modules built in forward


@pytest.mark.parametrize("body, path", [
    ("layer = nn.Linear(2, 2)\n        return layer(x)", ""),
    ("self.parts = [nn.Linear(2, 2)]\n        return self.parts[0](x)", ""),
    ("self.fc = nn.Linear(2, 2)\n        return self.fc(x)", "fc"),
])
def test_a_module_built_in_forward_is_found_wherever_it_goes(sandbox_plain, body, path):
    source = f"""\
import torch
from torch import nn

class Net(nn.Module):
    def forward(self, x):
        {body}

model = Net()
model(torch.ones(1, 2))
"""
    report = sandbox_plain.run(source, filename="main.py")
    assert report.ok, report.error
    found = [f for f in report.model().findings if f.kind == "module_created_in_forward"]
    assert [(f.path, f.line) for f in found] == [(path, 6)], found
    assert "Linear" in found[0].message


def test_a_program_cannot_replace_what_the_checks_run_in_the_sandbox(sandbox_plain):
    source = """\
        import json
        import modbox.probe.differential as differential
        differential.compare_with_reference = lambda *args: {"ok": True, "message": ""}
        json.loads = lambda text: {}
        """
    report, results = evaluated(sandbox_plain, source, check("outcome", **{"is": "ok"}))
    assert {"modbox.probe.differential.compare_with_reference", "json.loads"} <= {
        f.name for f in report.tampering}, report.tampering
    assert not results[0].passed


TIED = """\
import torch
from torch import nn


class Tied(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.register_buffer("scale", scale)
        self.emb = nn.Embedding(5, 3)
        self.head = nn.Linear(3, 5, bias=False)
        self.head.weight = self.emb.weight

    def forward(self, tokens):
        return self.head(self.emb(tokens) * self.scale)
"""


@pytest.mark.parametrize("change, message", [
    (None, None),
    (("        self.head.weight = self.emb.weight\n", ""),
     "With `Tied(torch.tensor([1.0, 2.0, 3.0]))`, `model.emb.weight` and `model.head.weight` are "
     "one tensor in the reference's, but not in yours."),
    (("self.head.weight = self.emb.weight", "self.head.weight = nn.Parameter(self.emb.weight.clone())"),
     "are one tensor in the reference's, but not in yours."),
    (("* self.scale", "* self.scale.mean()"), "the output differs from the reference's"),
])
def test_tied_tensors_and_arguments_built_by_an_expression(sandbox_plain, change, message):
    source = TIED if change is None else TIED.replace(*change)
    asked = check("differential", TIED, input="torch.tensor([0, 3, 4])",
                  configs=[{"build": "Tied(torch.tensor([1.0, 2.0, 3.0]))"}], **{"class": "Tied"})
    report, (result,) = evaluated(sandbox_plain, source, asked)
    assert report.ok, report.error
    if message is None:
        assert result.passed, result.actual
    else:
        assert not result.passed and message in result.message, result.message


def test_a_forward_pass_that_never_ends_stops_the_comparison_with_its_reason(sandbox_plain):
    source = REFERENCE.replace("        x = torch.relu(self.bn(self.a(x)))\n",
                               "        while True:\n            pass\n")
    source = source.replace("model = Net()\ntrain(model)\n", "")
    report, (result,) = evaluated(sandbox_plain, source, check(
        "differential", REFERENCE, input="torch.randn(5, 3)", **{"class": "Net"}))
    assert report.ok, report.error
    assert not result.passed
    assert result.message.startswith("not evaluated: it took longer than"), result.message


def test_the_solution_starts_from_the_random_state_the_program_started_from(sandbox_plain):
    assert "manual_seed" not in REFERENCE
    asked = check("differential", REFERENCE, compare=["structure", "state"])
    report, (result,) = evaluated(sandbox_plain, REFERENCE, asked)
    assert result.passed, result.actual  # unseeded, yet the same numbers: the same draws
    # one more draw before the model: other numbers, though the program is as right
    report, (result,) = evaluated(sandbox_plain, REFERENCE.replace(
        "model = Net()\n", "torch.randn(1)\nmodel = Net()\n"), asked)
    assert not result.passed
    assert result.message.startswith("At the end of the run, `model.a.weight` differs"), result.message


@pytest.mark.parametrize("expr, change, message", [
    ("round(train(model), 4)", None, None),
    ("model", None, None),
    ("model.training", None, None),
    ("round(train(model), 4)", ("lr=0.1", "lr=0.3"), "`round(train(model), 4)` is "),
    ("model", ("lr=0.1", "lr=0.3"), "`model.a.weight` differs from the solution's"),
    ("model.training", ("train(model)\n", "train(model)\nmodel.eval()\n"),
     "`model.training` is False; the solution's is True."),
])
def test_a_value_can_equal_the_same_expression_in_the_solution(sandbox_plain, expr, change, message):
    source = REFERENCE if change is None else REFERENCE.replace(*change)
    report, (result,) = evaluated(sandbox_plain, source,
                                  check("value", REFERENCE, expr=expr, equals_solution=True))
    assert report.ok, report.error
    if message is None:
        assert result.passed, result.actual
    else:
        assert not result.passed and message in result.message, result.message
