"""Findings: each kind is found where it should be, with its line, and never on clean code."""

from __future__ import annotations

import pytest

from modbox.report import FINDING_KINDS
from tests.support.probe import EXAMPLES, EXPECTED, FAILING, Run, run

def run_example(name: str, tmp_path, monkeypatch) -> Run:
    monkeypatch.chdir(tmp_path)  # examples that save files write them here
    path = EXAMPLES / name
    return Run(path.read_text(), filename=str(path))


def test_every_finding_kind_has_an_example():
    covered = {kind for findings in EXPECTED.values() for kind, _ in findings}
    assert covered == set(FINDING_KINDS)
    assert sorted(EXPECTED) == sorted(p.name for p in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_gives_exactly_its_findings(name, tmp_path, monkeypatch):
    r = run_example(name, tmp_path, monkeypatch)
    assert (r.error is not None) == (name in FAILING), r.error
    found = [(f.kind, f.path) for m in r.models for f in m.findings]
    assert found == EXPECTED[name]
    source = (EXAMPLES / name).read_text().split("\n")
    for m in r.models:
        for f in m.findings:
            assert f.line is not None, f
            assert 1 <= f.line <= len(source)
            assert f.severity == ("info" if f.kind in ("shared_parameter", "lazy_uninitialized") else "warning")
            assert f.message.endswith(".") and "\n" not in f.message


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.split("\n"), 1) if text in line)


def findings_of(r, kind, name=None):
    return [(f.path, f.line) for f in r.findings(kind, name)]


HEADER = "import torch\nfrom torch import nn\n"


def test_unregistered_module_in_dict_tuple_and_nested_list_but_not_extra_references():
    source = HEADER + (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.a = nn.Linear(2, 2)\n"
        "        self.heads = {'x': nn.Linear(2, 3)}\n"
        "        self.pair = (nn.Linear(2, 2), nn.Linear(2, 2))\n"
        "        self.grid = [[nn.Linear(1, 1)]]\n"
        "        self.refs = [self.a]\n"
        "model = Net()\n"
    )
    r = run(source)
    found = r.findings("unregistered_module")
    assert [f.line for f in found] == [
        line_of(source, "self.heads"),
        line_of(source, "self.pair"),
        line_of(source, "self.grid"),
    ]
    assert "nn.ModuleDict" in found[0].message and "nn.ModuleList" in found[1].message
    assert "its 9 parameters" in found[0].message


def test_tensors_pytorch_manages_are_not_flagged():
    r = run(
        HEADER
        + "from torch.nn.utils import prune, parametrizations, spectral_norm, weight_norm\n"
        + "model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4))\n"
        + "prune.random_unstructured(model[0], 'weight', 0.3)\n"
        + "parametrizations.weight_norm(model[1])\n"
        + "spectral_norm(model[2])\n"
        + "weight_norm(model[3])\n"
        + "model(torch.randn(2, 4))\n"
    )
    assert r.error is None
    assert r.model().findings == []


def test_unregistered_tensor_on_a_torch_layer_and_requires_grad_tensor():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2))\n"
        "model[0].scale = torch.ones(2, requires_grad=True)\n"
    )
    r = run(source)
    assert findings_of(r, "unregistered_tensor") == [("0", line_of(source, "scale"))]


def test_module_created_in_forward_via_add_module_is_found_once():
    source = HEADER + (
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        self.add_module('head', nn.Linear(2, 2))\n"
        "        return self.head(x)\n"
        "model = Net()\n"
        "for _ in range(3):\n"
        "    model(torch.ones(1, 2))\n"
    )
    r = run(source)
    assert findings_of(r, "module_created_in_forward") == [("head", line_of(source, "add_module"))]


def test_a_layer_without_state_built_in_forward_is_not_a_finding():
    r = run(
        HEADER
        + "class Net(nn.Module):\n"
        + "    def forward(self, x):\n"
        + "        return nn.Sequential(nn.Identity(), nn.ReLU())(x)\n"
        + "model = Net()\nmodel(torch.ones(1, 2))\n"
    )
    assert r.model().findings == []


def test_optimizer_for_another_model_or_with_frozen_params_is_not_a_finding():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))\n"
        + "other = nn.Linear(3, 3)\n"
        + "model[0].requires_grad_(False)\n"
        + "opt = torch.optim.Adam(model[1].parameters())\n"
        + "opt_other = torch.optim.SGD(other.parameters(), lr=0.1)\n"
    )
    assert r.model().findings == [] and r.model("other").findings == []


def test_optimizer_missing_params_names_them_and_the_optimizer_line():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2))\n"
        "opt = torch.optim.SGD(\n"
        "    model.parameters(), lr=0.1)\n"
        "model.extra = nn.Linear(2, 2)\n"
    )
    r = run(source)
    (f,) = r.findings("optimizer_missing_params")
    assert (f.path, f.line) == ("extra", line_of(source, "opt = "))
    assert "extra.weight, extra.bias" in f.message and "`opt`" in f.message


def test_integer_buffers_and_mixed_precision_of_buffers():
    r = run(HEADER + "model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).half()\n")
    assert r.model().findings == []  # num_batches_tracked stays int64: not a mismatch
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))\n"
        + "model[1].running_mean = model[1].running_mean.double()\n"
    )
    (f,) = r.findings("dtype_mismatch")
    assert f.path == "1" and "`1.running_mean` is float64" in f.message


def test_dtype_mismatch_names_each_dtype_and_does_not_pick_one_for_the_learner():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2)).double()\n"
        "model.append(nn.Linear(2, 1))\n"
    )
    r = run(source)
    (f,) = r.findings("dtype_mismatch")
    assert (f.path, f.line) == ("3", line_of(source, "append"))
    assert f.message.startswith("`3.weight` and `3.bias` are float32, but `0.weight`, `0.bias` and 4 "
                                "more are float64: ")
    assert "(model.to(torch.float64) or model.to(torch.float32))" in f.message


def test_direct_forward_of_a_leaf_from_inside_a_method_points_at_that_line():
    source = HEADER + (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "        self.out = nn.Linear(2, 1)\n"
        "    def forward(self, x):\n"
        "        h = self.fc.forward(x)\n"
        "        return self.out(h)\n"
        "class Other(nn.Module):\n"
        "    def __init__(me):\n"
        "        super().__init__()\n"
        "        me.fc = nn.Linear(2, 2)\n"
        "    def forward(me, x):\n"
        "        return me.fc(x)\n"
        "model = Net()\n"
        "model(torch.ones(1, 2))\n"
        "other = Other()\n"
        "other(torch.ones(1, 2))\n"
    )
    r = run(source)
    (f,) = r.findings("direct_forward")
    assert (f.path, f.line) == ("fc", line_of(source, "self.fc.forward"))
    assert "model.fc.forward(...) was called directly" in f.message
    assert r.findings("direct_forward", "other") == []


def test_state_dict_prefix_when_a_strict_load_fails_and_not_when_the_prefix_is_stripped():
    source = HEADER + (
        "net = nn.Sequential(nn.Linear(2, 2))\n"
        "compiled_keys = {'_orig_mod.' + k: v for k, v in net.state_dict().items()}\n"
        "model = nn.Sequential(nn.Linear(2, 2))\n"
        "try:\n"
        "    model.load_state_dict(compiled_keys)\n"
        "except RuntimeError as e:\n"
        "    print('failed')\n"
        "fixed = nn.Sequential(nn.Linear(2, 2))\n"
        "fixed.load_state_dict({k.removeprefix('_orig_mod.'): v for k, v in compiled_keys.items()})\n"
    )
    r = run(source)
    (f,) = r.findings("state_dict_prefix")
    assert (f.path, f.line) == ("", line_of(source, "    model.load_state_dict"))
    assert "every key of the state_dict starts with `_orig_mod.`, which torch.compile adds" in f.message
    assert 'consume_prefix_in_state_dict_if_present(sd, "_orig_mod.")' in f.message
    assert r.findings("state_dict_prefix", "fixed") == []


def test_state_dict_prefix_when_the_model_is_the_wrapped_one():
    source = HEADER + (
        "plain = nn.Sequential(nn.Linear(2, 2))\n"
        "model = nn.DataParallel(nn.Sequential(nn.Linear(2, 2)))\n"
        "result = model.load_state_dict(plain.state_dict(), strict=False)\n"
    )
    r = run(source)
    (f,) = r.findings("state_dict_prefix")
    assert (f.path, f.line) == ("", line_of(source, "result = "))
    assert "`model` is wrapped by DataParallel or DistributedDataParallel" in f.message
    assert "model.module.load_state_dict(sd)" in f.message
    assert r.findings("state_dict_prefix", "plain") == []


def test_shared_module_is_one_info_finding():
    r = run(HEADER + "lin = nn.Linear(2, 2)\nmodel = nn.Sequential(lin, nn.ReLU(), lin)\n")
    (f,) = r.model().findings
    assert (f.kind, f.severity, f.path) == ("shared_parameter", "info", "0")
    assert "`0` and `2`" in f.message and "6 parameters" in f.message


def test_direct_forward_inside_another_models_forward_names_the_inner_module():
    source = HEADER + (
        "class Block(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "    def forward(self, x):\n"
        "        return self.fc(x)\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.block = Block()\n"
        "    def forward(self, x):\n"
        "        return self.block.forward(x)\n"
        "model = Net()\n"
        "model(torch.ones(1, 2))\n"
    )
    r = run(source)
    assert findings_of(r, "direct_forward") == [("block", line_of(source, "self.block.forward"))]


def test_calling_a_method_other_than_forward_is_not_direct_forward():
    r = run(
        HEADER
        + "class Net(nn.Module):\n"
        + "    def __init__(self):\n"
        + "        super().__init__()\n"
        + "        self.fc = nn.Linear(2, 2)\n"
        + "    def encode(self, x):\n"
        + "        return self.fc(x)\n"
        + "    def forward(self, x):\n"
        + "        return self.encode(x)\n"
        + "model = Net()\n"
        + "model.encode(torch.ones(1, 2))\n"
        + "model.fc(torch.ones(1, 2))\n"
        + "model(torch.ones(1, 2))\n"
    )
    assert r.model().findings == []
    assert r.of_kind("direct_forward") == []


def test_device_mismatch_between_cpu_and_another_device():
    # "meta" tensors have a device but no data: the same mismatch as with a GPU, on any machine.
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).to('meta')\n"
        "model.append(nn.Linear(2, 1))\n"
    )
    r = run(source)
    (f,) = r.findings("device_mismatch")
    assert (f.path, f.line) == ("2", line_of(source, "append"))
    assert "cpu while the rest of `model` is meta" in f.message
    assert r.model().modules[0].devices == ["cpu", "meta"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_the_same_with_and_without_the_probe(name, tmp_path, monkeypatch):
    import contextlib
    import io

    import torch

    from modbox.probe import Probe

    monkeypatch.chdir(tmp_path)
    path = EXAMPLES / name
    code = compile(path.read_text(), str(path), "exec")
    printed = []
    for probed in (False, True):
        torch.manual_seed(0)
        out = io.StringIO()
        probe = Probe(str(path), emit=lambda event: None)
        if probed:
            probe.install()
        try:
            with contextlib.redirect_stdout(out):
                exec(code, {"__name__": "__main__"})
        except Exception as e:  # the failing examples fail alike with and without the probe
            assert name in FAILING, e
            print(f"{type(e).__name__}: {e}", file=out)
        finally:
            probe.uninstall()
        printed.append(out.getvalue())
    assert printed[0] == printed[1]


def test_direct_forward_on_a_leaf_is_found_from_the_source():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())\n"
        "seen = []\n"
        "model[0].register_forward_hook(lambda m, i, o: seen.append(1))\n"
        "y = model[0].forward(torch.ones(1, 2))\n"
        "lin = nn.Linear(2, 2)\n"
        "z = lin.forward(torch.ones(1, 2))\n"
        "w = super\n"
    )
    r = run(source)
    assert r.namespace["seen"] == []
    assert findings_of(r, "direct_forward") == [("0", line_of(source, "model[0].forward"))]
    assert findings_of(r, "direct_forward", "lin") == [("", line_of(source, "lin.forward"))]


def test_direct_forward_in_a_function_points_at_the_forward_call():
    source = HEADER + (
        "model = nn.Sequential(nn.Linear(2, 2))\n"
        "def go():\n"
        "    return model.forward(torch.ones(1, 2))\n"
        "go()\n"
    )
    r = run(source)
    assert findings_of(r, "direct_forward") == [("", line_of(source, "model.forward"))]


@pytest.mark.slow
def test_state_dict_prefix_from_a_real_torch_compile():
    source = HEADER + (
        "compiled = torch.compile(nn.Linear(2, 2))\n"
        "model = nn.Linear(2, 2)\n"
        "try:\n"
        "    model.load_state_dict(compiled.state_dict())\n"
        "except RuntimeError:\n"
        "    pass\n"
    )
    r = run(source)
    assert r.error is None
    (f,) = r.findings("state_dict_prefix")
    assert f.line == line_of(source, "model.load_state_dict")
    assert "starts with `_orig_mod.`, which torch.compile adds" in f.message


@pytest.mark.parametrize("uses, listed", [
    (2, "`0` and `1` are"),
    (3, "`0`, `1` and `2`"),
    (4, "`0`, `1`, `2` and 1 more"),
    (9, "`0`, `1`, `2` and 6 more"),
])
def test_a_module_shared_many_times_names_the_first_paths_and_counts_the_rest(uses, listed):
    r = run(HEADER + f"lin = nn.Linear(2, 2)\nmodel = nn.Sequential(*[lin] * {uses})\n")
    (f,) = r.model().findings
    assert listed.removesuffix(" are") in f.message


def test_a_tensor_tied_in_many_places_names_the_first_and_counts_the_rest():
    source = HEADER + (
        "model = nn.ModuleList(nn.Linear(3, 3, bias=False) for _ in range(5))\n"
        "for layer in model:\n"
        "    layer.weight = model[0].weight\n"
    )
    (f,) = run(source).model().findings
    assert f.kind == "shared_parameter"
    assert "`0.weight`, `1.weight`, `2.weight` and 2 more are the same tensor" in f.message
