"""The memory estimate of a training step: worked out with fake tensors, compared with the peak
PyTorch's CPU allocator really reaches for the same step (seen through the profiler's memory
events), and answering for models far too big to allocate."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from modbox.probe.evaluate import evaluate
from modbox.probe.memory import estimate
from tests.support.memory import MODELS, measured_peak

TOLERANCE = 0.15


@pytest.mark.parametrize("kind", ["SGD", "SGD+momentum", "Adam"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_estimate_is_within_15_percent_of_the_measured_peak(name, kind):
    build, make_input = MODELS[name]
    torch.manual_seed(0)
    model = build()
    found = estimate(model, make_input, kind)
    real = measured_peak(model, make_input, kind)
    assert abs(found["peak"] - real) <= TOLERANCE * real, (found["peak"], real)
    parts = {p["what"]: p for p in found["parts"]}
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    assert parts["parameters"]["bytes"] == params == parts["gradients"]["bytes"]
    state = {"SGD": 0, "SGD+momentum": params, "Adam": 2 * params}[kind]
    # Adam also keeps a 4-byte step count per parameter tensor
    assert state <= parts["optimizer_state"]["bytes"] <= state + 8 * len(list(model.parameters()))
    assert parts["activations"]["bytes"] > 0
    assert found["optimizer"] == kind


def test_the_estimate_allocates_nothing_and_leaves_the_model_alone():
    model = MODELS["mlp"][0]()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        estimate(model, lambda: torch.randn(4096, 256), "Adam")
    allocated = sum(e.nbytes() for e in prof.profiler.kineto_results.events()
                    if e.name() == "[memory]" and e.nbytes() > 0)
    assert allocated < 1 << 20  # a few small bookkeeping tensors; the input alone would be 4 MiB
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def test_a_billion_parameters_on_the_meta_device_by_dtype():
    with torch.device("meta"):
        model = nn.Sequential(*[nn.Linear(8192, 8192, bias=False) for _ in range(15)]).to(torch.bfloat16)
    found = estimate(model, lambda: torch.randn(8, 8192, dtype=torch.bfloat16), "AdamW")
    parts = {p["what"]: p for p in found["parts"]}
    n = 15 * 8192 * 8192
    assert n > 1_000_000_000
    assert parts["parameters"]["by_dtype"] == {"bfloat16": 2 * n}
    assert parts["gradients"]["by_dtype"] == {"bfloat16": 2 * n}
    assert parts["optimizer_state"]["bytes"] >= 4 * n  # two moments in bfloat16
    assert found["peak"] >= 8 * n


def test_through_the_evaluate_helper_with_the_learners_optimizer():
    namespace = {"torch": torch, "nn": nn}
    exec("model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))\n"
         "opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n", namespace)
    (answer,) = evaluate(namespace, ["estimate_memory(None, 'torch.randn(16, 8)')"])
    assert answer["ok"], answer["repr"]
    value = answer["value"]
    assert value["model"] == "model" and value["optimizer"] == "SGD+momentum"
    assert value["input_shape"] == [[16, 8]] and value["peak"] == value["peaks"]["SGD+momentum"]
    (bad,) = evaluate(namespace, ["estimate_memory(None, 'torch.randn(16, 9)')"])
    assert not bad["ok"] and "[16, 9]" in bad["repr"]


def test_recurrent_layers_say_the_estimate_is_a_lower_bound():
    found = estimate(nn.LSTM(8, 16), lambda: torch.randn(5, 3, 8), "SGD")
    assert found["notes"] and "LSTM" in found["notes"][0]
