"""Events streamed while the learner's code runs, and proof that instrumentation changes nothing."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
import torch

import modbox
from modbox.probe import Probe
from tests.support.probe import FILENAME, run

# The installed package, judged by where it really is: the folder around it may have any name
# ("modbox" included, as a clone of the repository has).
PACKAGE = Path(modbox.__file__).resolve().parent

HEADER = """
import torch
from torch import nn
torch.manual_seed(0)
"""


def line_of(source: str, text: str, nth: int = 0) -> int:
    """1-based number of the nth line of source containing text."""
    return [i for i, line in enumerate(source.split("\n"), 1) if text in line][nth]


def kinds_paths(events, kinds):
    return [(e.kind, e.path) for e in events if e.kind in kinds]


def test_forward_events_in_call_order_with_shapes_dtype_device_and_duration():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))\n"
        + "out = model(torch.randn(3, 4))\n"
    )
    assert kinds_paths(r.events, {"forward_pre", "forward"}) == [
        ("forward_pre", ""),
        ("forward_pre", "0"),
        ("forward", "0"),
        ("forward_pre", "1"),
        ("forward", "1"),
        ("forward_pre", "2"),
        ("forward", "2"),
        ("forward", ""),
    ]
    first = r.events[1]
    assert (first.model, first.cls, first.inputs, first.dtype, first.device) == (
        "model",
        "Linear",
        [[3, 4]],
        "float32",
        "cpu",
    )
    last = r.events[-1]
    assert last.outputs == [[3, 2]] and last.duration_us > 0


def test_backward_events_come_in_the_order_pytorch_module_hooks_report():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))\n"
        + "model(torch.randn(3, 4)).sum().backward()\n"
    )
    assert kinds_paths(r.events, {"backward_pre", "backward"}) == [
        ("backward_pre", ""),
        ("backward", ""),  # its input needs no gradient: PyTorch fires it early too
        ("backward_pre", "2"),
        ("backward", "2"),
        ("backward_pre", "1"),
        ("backward", "1"),
        ("backward_pre", "0"),
        ("backward", "0"),
    ]
    grads = [e for e in r.events if e.kind == "backward" and e.path == "2"][0]
    assert grads.inputs == [[3, 8]]


def test_inplace_relu_trains_exactly_as_without_the_probe():
    source = (
        HEADER
        + "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 8),"
        + " nn.ReLU(inplace=True), nn.Linear(8, 1))\n"
        + "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        + "x = torch.randn(16, 4)\n"
        + "for _ in range(3):\n"
        + "    opt.zero_grad()\n"
        + "    loss = model(x).pow(2).mean()\n"
        + "    loss.backward()\n"
        + "    opt.step()\n"
    )
    plain: dict = {}
    exec(compile(source, "<plain>", "exec"), plain)
    r = run(source)
    assert r.error is None
    for (name, a), (_, b) in zip(
        plain["model"].named_parameters(), r.namespace["model"].named_parameters()
    ):
        assert torch.equal(a, b), name
    assert len(r.of_kind("backward")) == 3 * 6
    steps = r.of_kind("optimizer_step")
    assert len(steps) == 3 and steps[0].detail["unchanged"] == []


def test_learner_hooks_report_firing_and_removal_and_still_work():
    source = (
        HEADER
        + "model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())\n"
        + "seen = []\n"
        + "def log_output(module, inputs, output):\n"
        + "    seen.append(tuple(output.shape))\n"
        + "def double(module, args):\n"
        + "    return (args[0] * 2,)\n"
        + "h1 = model[0].register_forward_hook(log_output)\n"
        + "h2 = model[1].register_forward_pre_hook(double)\n"
        + "model(torch.ones(1, 2))\n"
        + "h1.remove()\n"
        + "h1.remove()\n"
        + "with model.register_full_backward_hook(lambda m, gi, go: None):\n"
        + "    model(torch.ones(1, 2)).sum().backward()\n"
    )
    r = run(source)
    assert r.error is None
    assert r.namespace["seen"] == [(1, 2)]
    hooks = [(e.hook, e.hook_kind, e.path, e.line) for e in r.of_kind("hook")]
    assert hooks[:2] == [
        ("log_output", "forward", "0", line_of(source, "h1 =")),
        ("double", "forward_pre", "1", line_of(source, "h2 =")),
    ]
    assert ("<lambda>", "backward", "", line_of(source, "with model")) in hooks
    removed = [(e.hook, e.path, e.line, e.detail) for e in r.of_kind("hook_removed")]
    assert removed[0] == (
        "log_output", "0", line_of(source, "h1.remove"), {"registered_line": line_of(source, "h1 =")}
    )
    assert [(hook, path) for hook, path, _, _ in removed] == [("log_output", "0"), ("<lambda>", "")]
    assert model_hooks_are_the_learners(r)


def model_hooks_are_the_learners(r):
    """The hooks dicts hold the learner's own functions: pickling and deepcopy see no probe."""
    pre = list(r.namespace["model"][1]._forward_pre_hooks.values())
    return pre == [r.namespace["double"]]


def test_direct_forward_call_is_an_event_with_the_line():
    source = (
        HEADER
        + "class Net(nn.Module):\n"
        + "    def __init__(self):\n"
        + "        super().__init__()\n"
        + "        self.fc = nn.Linear(2, 2)\n"
        + "    def forward(self, x):\n"
        + "        return self.fc(self.fc(x))\n"
        + "model = Net()\n"
        + "model(torch.ones(1, 2))\n"
        + "y = model.forward(torch.ones(1, 2))\n"
        + "for _ in range(2):\n"
        + "    y = model.forward(torch.ones(1, 2))\n"
    )
    r = run(source)
    direct = r.of_kind("direct_forward")
    first, loop = line_of(source, "y = model.forward"), line_of(source, "y = model.forward", 1)
    assert [(e.path, e.model, e.line) for e in direct] == [
        ("", "model", first),
        ("", "model", loop),
        ("", "model", loop),
    ]


def test_optimizer_step_names_changed_and_unchanged_parameters():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))\n"
        + "model[0].bias.requires_grad_(False)\n"
        + "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        + "model.add_module('late', nn.Linear(1, 1))\n"
        + "model(torch.ones(3, 2)).sum().backward()\n"
        + "opt.step()\n"
    )
    (step,) = r.of_kind("optimizer_step")
    assert step.model == "model" and step.cls == "SGD" and step.line == 10
    assert step.detail == {
        "changed": ["0.weight", "1.weight", "1.bias"],
        "unchanged": ["late.weight", "late.bias"],
    }


def test_events_for_a_module_not_in_any_model_have_no_model_name():
    r = run(HEADER + "def make():\n    return nn.Linear(2, 2)\ny = make()(torch.ones(1, 2))\n")
    assert [(e.kind, e.model, e.cls) for e in r.events] == [
        ("forward_pre", "", "Linear"),
        ("forward", "", "Linear"),
    ]


def test_paths_follow_layers_added_later_and_rebound_names():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(2, 2))\n"
        + "model(torch.ones(1, 2))\n"
        + "model.append(nn.ReLU())\n"
        + "model(torch.ones(1, 2))\n"
        + "model = nn.Sequential(nn.Tanh())\n"
        + "model(torch.ones(1, 2))\n"
    )
    calls = [(e.model, e.path, e.cls) for e in r.of_kind("forward")]
    assert calls == [
        ("model", "0", "Linear"),
        ("model", "", "Sequential"),
        ("model", "0", "Linear"),
        ("model", "1", "ReLU"),
        ("model", "", "Sequential"),
        ("model", "0", "Tanh"),
        ("model", "", "Sequential"),
    ]


def test_errors_raised_in_forward_are_unchanged_and_the_probe_is_not_in_the_traceback():
    source = HEADER + "model = nn.Linear(2, 2)\nmodel(torch.ones(1, 3))\n"
    plain_error = None
    try:
        exec(compile(source, FILENAME, "exec"), {})
    except RuntimeError as error:
        plain_error = error
    r = run(source)
    assert type(r.error) is type(plain_error) and str(r.error) == str(plain_error)
    frames = traceback.extract_tb(r.error.__traceback__)
    assert not [f for f in frames if PACKAGE in Path(f.filename).resolve().parents]
    # the next run starts clean: no call left on the probe's stack
    r2 = run(HEADER + "model = nn.Linear(2, 2)\nmodel(torch.ones(1, 2))\n")
    assert [e.kind for e in r2.events] == ["forward_pre", "forward"]


def test_uninstall_restores_torch_exactly():
    from torch import nn
    from torch.nn.modules import module as m

    before = (
        nn.Module.__setattr__,
        nn.Module.register_forward_hook,
        torch.save,
        torch.optim.Optimizer.__init__,
        dict(m._global_forward_hooks),
        dict(m._global_forward_pre_hooks),
        dict(m._global_module_registration_hooks),
    )
    probe = Probe(FILENAME, emit=lambda e: None)
    probe.install()
    assert nn.Module.__setattr__ is not before[0]
    probe.uninstall()
    after = (
        nn.Module.__setattr__,
        nn.Module.register_forward_hook,
        torch.save,
        torch.optim.Optimizer.__init__,
        dict(m._global_forward_hooks),
        dict(m._global_forward_pre_hooks),
        dict(m._global_module_registration_hooks),
    )
    assert after == before


def test_a_failing_emit_never_reaches_the_learner():
    def broken(event):
        raise OSError("pipe closed")

    probe = Probe(FILENAME, emit=broken)
    ns: dict = {}
    probe.install()
    try:
        exec(compile(HEADER + "m = nn.Linear(2, 2)\ny = m(torch.ones(1, 2))\n", FILENAME, "exec"), ns)
    finally:
        probe.uninstall()
    assert ns["y"].shape == (1, 2)


@pytest.mark.parametrize(("device", "shown"), [
    ("meta", "meta"),  # a device besides the CPU on every machine: shapes, no data
    pytest.param("cuda", "cuda:0", marks=pytest.mark.skipif(
        not torch.cuda.is_available(), reason="needs a CUDA device")),
])
def test_devices_are_read_from_tensors(device, shown):
    r = run(HEADER + f"model = nn.Linear(2, 2).to('{device}')\n"
            f"y = model(torch.ones(1, 2, device='{device}'))\n")
    assert r.model().modules[0].devices == [shown]
    assert r.events[0].device == shown


def test_calls_of_unregistered_modules_are_labelled_the_way_the_learner_reaches_them():
    r = run(
        HEADER
        + "class Net(nn.Module):\n"
        + "    def __init__(self):\n"
        + "        super().__init__()\n"
        + "        self.blocks = [nn.Sequential(nn.Linear(2, 2))]\n"
        + "        self.heads = {'a': nn.Linear(2, 1)}\n"
        + "    def forward(self, x):\n"
        + "        return self.heads['a'](self.blocks[0](x))\n"
        + "model = Net()\n"
        + "model(torch.ones(1, 2))\n"
    )
    assert [(e.model, e.path) for e in r.of_kind("forward")] == [
        ("model", "blocks[0].0"),
        ("model", "blocks[0]"),
        ("model", "heads['a']"),
        ("model", ""),
    ]


def test_a_model_with_hooks_still_pickles_and_deepcopies(tmp_path):
    import copy

    r = run(
        HEADER
        + "import copy\n"
        + "def show(module, inputs, output):\n"
        + "    pass\n"
        + "model = nn.Linear(2, 2)\n"
        + "model.register_forward_hook(show)\n"
        + "twin = copy.deepcopy(model)\n"
        + "scripted = torch.jit.script(nn.Linear(2, 2))\n"
    )
    assert r.error is None
    assert list(copy.deepcopy(r.namespace["model"])._forward_hooks.values()) == [r.namespace["show"]]


def test_a_forward_pass_never_backpropagated_frees_its_graph():
    r = run(
        HEADER
        + "import weakref\n"
        + "model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))\n"
        + "x = torch.randn(2, 4)\n"
        + "hidden = model[0](x)\n"
        + "saved = weakref.ref(hidden)\n"
        + "out = model[2](model[1](hidden))\n"
        + "y = model(x)\n"
        + "del hidden, out, y\n"
        + "alive = saved() is not None\n"
    )
    assert r.error is None and r.namespace["alive"] is False


def test_backward_twice_with_retain_graph_reports_each_pass_once():
    r = run(
        HEADER
        + "model = nn.Sequential(nn.Linear(4, 4), nn.Tanh())\n"
        + "loss = model(torch.randn(2, 4)).sum()\n"
        + "loss.backward(retain_graph=True)\n"
        + "loss.backward()\n"
    )
    pass_events = kinds_paths(r.events, {"backward_pre", "backward"})
    assert len(pass_events) == 12
    assert pass_events[:6] == pass_events[6:]


def test_backward_through_a_tuple_output_reaches_every_branch():
    r = run(
        HEADER
        + "lstm = nn.LSTM(3, 4)\n"
        + "out, (h, c) = lstm(torch.randn(5, 2, 3))\n"
        + "h.sum().backward()\n"
    )
    assert kinds_paths(r.events, {"backward_pre", "backward"}) == [
        ("backward_pre", ""),
        ("backward", ""),
    ]


def test_nested_tensors_have_no_shape_but_keep_their_events():
    r = run(
        HEADER
        + "layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)\n"
        + "model = nn.TransformerEncoder(layer, 2).eval()\n"
        + "mask = torch.tensor([[False] * 5, [False, False, False, True, True]])\n"
        + "with torch.no_grad():\n"
        + "    y = model(torch.randn(2, 5, 8), src_key_padding_mask=mask)\n"
    )
    assert r.error is None
    assert [(e.kind, e.path, e.outputs) for e in r.of_kind("forward")] == [
        ("forward", "layers.0", [None]),
        ("forward", "layers.1", [None]),
        ("forward", "", [[2, 5, 8]]),
    ]


def test_the_learners_global_hooks_report_for_every_module_and_their_removal():
    source = (
        HEADER
        + "from torch.nn.modules.module import register_module_forward_hook\n"
        + "calls = []\n"
        + "def everywhere(module, inputs, output):\n"
        + "    calls.append(type(module).__name__)\n"
        + "handle = register_module_forward_hook(everywhere)\n"
        + "model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())\n"
        + "model(torch.ones(1, 2))\n"
        + "handle.remove()\n"
        + "model(torch.ones(1, 2))\n"
    )
    r = run(source)
    assert r.namespace["calls"] == ["Linear", "ReLU", "Sequential"]
    fired = [(e.hook, e.hook_kind, e.path, e.line) for e in r.of_kind("hook")]
    line = [i for i, text in enumerate(source.split("\n"), 1) if "handle = " in text][0]
    assert fired == [("everywhere", "forward", path, line) for path in ("0", "1", "")]
    (removed,) = r.of_kind("hook_removed")
    assert (removed.hook, removed.path, removed.detail) == ("everywhere", "", {"registered_line": line})
