"""Counts, rows, parameters, buffers and state_dict keys equal what PyTorch itself says.

Every expected figure is computed here from torch's own API, independently of the probe.
"""

from __future__ import annotations

import pytest
import torch
from torch.nn.parameter import is_lazy

from tests.support.probe import run



def truth_total(module, trainable_only=False):
    return sum(
        p.numel()
        for p in module.parameters()
        if not is_lazy(p) and (p.requires_grad or not trainable_only)
    )


def assert_matches_torch(r, name):
    report = r.model(name)
    module = r.namespace[name]
    assert report.total_params == truth_total(module)
    assert report.trainable_params == truth_total(module, trainable_only=True)
    assert report.lazy_params == sum(1 for p in module.parameters() if is_lazy(p))
    rows = list(module.named_modules(remove_duplicate=False))
    assert [row.path for row in report.modules] == [path for path, _ in rows]
    for row, (path, sub) in zip(report.modules, rows):
        assert row.total_params == truth_total(sub), path
        assert row.own_params == sum(
            p.numel() for p in sub.parameters(recurse=False) if not is_lazy(p)
        ), path
        assert row.depth == (path.count(".") + 1 if path else 0)
        assert row.training == sub.training
        others = [p for p, m in rows if m is sub and p != path]
        assert row.shared_with == others
    named = list(module.named_parameters())
    assert [p.name for p in report.parameters] == [n for n, _ in named]
    for prow, (n, p) in zip(report.parameters, named):
        assert prow.numel == (0 if is_lazy(p) else p.numel())
        assert prow.requires_grad == p.requires_grad
        assert prow.lazy == is_lazy(p)
        if not is_lazy(p):
            assert prow.shape == list(p.shape)
    assert [b.name for b in report.buffers] == [n for n, _ in module.named_buffers()]
    sd = module.state_dict()
    assert report.state_dict_keys == list(sd)
    for key, value in sd.items():
        if isinstance(value, torch.Tensor) and not is_lazy(value):
            assert report.state_dict_shapes[key] == list(value.shape)
    return report


MODELS = """
import torch
from torch import nn
"""


def test_tied_embedding_and_head_are_counted_once_and_named_as_tied():
    r = run(
        MODELS
        + """
class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 64)
        self.head = nn.Linear(64, 1000, bias=False)
        self.head.weight = self.emb.weight
model = LM()
"""
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 64_000
    weight = report.parameters[0]
    assert (weight.name, weight.tied_to) == ("emb.weight", ["head.weight"])
    assert report.state_dict_keys == ["emb.weight", "head.weight"]
    head = next(row for row in report.modules if row.path == "head")
    assert head.own_params == 64_000  # the head holds the tensor too; the root counts it once


def test_one_module_at_two_paths_lists_both_paths_and_counts_once():
    r = run(MODELS + "lin = nn.Linear(10, 10)\nmodel = nn.Sequential(lin, nn.ReLU(), lin)\n")
    report = assert_matches_torch(r, "model")
    assert report.total_params == 110
    rows = {row.path: row for row in report.modules}
    assert rows["0"].shared_with == ["2"] and rows["2"].shared_with == ["0"]
    assert report.parameters[0].tied_to == ["2.weight"]


def test_modulelist_inside_moduledict():
    r = run(
        MODELS
        + """
model = nn.ModuleDict({
    "blocks": nn.ModuleList([nn.Linear(4, 4), nn.Sequential(nn.Linear(4, 8), nn.Tanh())]),
    "head": nn.Linear(8, 1),
})
"""
    )
    report = assert_matches_torch(r, "model")
    assert [row.path for row in report.modules][:4] == ["", "blocks", "blocks.0", "blocks.1"]


def test_parameterlist_parameterdict_and_bare_parameters_on_a_container():
    r = run(
        MODELS
        + """
class Holder(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Linear(3, 3))
        self.register_parameter("scale", nn.Parameter(torch.ones(3)))
        self.ws = nn.ParameterList([nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, 2))])
        self.wd = nn.ParameterDict({"x": nn.Parameter(torch.ones(5))})
        self.frozen = nn.Parameter(torch.ones(7), requires_grad=False)
model = Holder()
"""
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params - report.trainable_params == 7
    root = report.modules[0]
    assert root.own_params == 3 + 7 and root.trainable == "partial"


@pytest.mark.parametrize(
    "build",
    [
        "nn.LSTM(10, 20, 2)",
        "nn.LSTM(300, 512, num_layers=2, bidirectional=True)",
        "nn.LSTM(10, 20, 2, proj_size=5)",
        "nn.GRU(10, 20, 2)",
        "nn.RNN(10, 20, 2, bias=False)",
    ],
)
def test_recurrent_layers(build):
    r = run(MODELS + f"model = {build}\nout = model(torch.randn(5, 3, model.input_size))\n")
    report = assert_matches_torch(r, "model")
    assert report.findings == []
    row = report.modules[0]
    assert row.output_shape[0] == list(r.namespace["out"][0].shape)


def test_lazy_modules_before_the_first_forward_count_zero_and_say_so():
    r = run(
        MODELS
        + "model = nn.Sequential(nn.LazyLinear(10), nn.ReLU(), nn.LazyBatchNorm1d(), nn.Linear(10, 2))\n"
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 22 and report.lazy_params == 4
    lazy = [p for p in report.parameters if p.lazy]
    assert [p.name for p in lazy] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [f.path for f in report.findings if f.kind == "lazy_uninitialized"] == ["0", "2"]


def test_lazy_modules_after_the_first_forward_are_counted_in_full():
    r = run(
        MODELS
        + "model = nn.Sequential(nn.LazyLinear(10), nn.ReLU(), nn.LazyBatchNorm1d(), nn.Linear(10, 2))\n"
        + "model(torch.randn(4, 7))\n"
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 122 and report.lazy_params == 0
    assert report.modules[1].cls == "Linear"
    assert report.findings == []


def test_parametrized_weight_norm():
    r = run(
        MODELS
        + "from torch.nn.utils import parametrizations\n"
        + "model = parametrizations.weight_norm(nn.Linear(20, 40))\n"
        + "y = model(torch.randn(3, 20))\n"
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 880
    assert report.cls == "ParametrizedLinear"
    assert "parametrizations.weight.original0" in report.state_dict_keys
    assert report.findings == []


def test_pruning_keeps_the_count_and_does_not_flag_the_recomputed_weight():
    r = run(
        MODELS
        + "from torch.nn.utils import prune\n"
        + "model = nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1))\n"
        + "prune.l1_unstructured(model[0], 'weight', 0.5)\n"
        + "y = model(torch.randn(2, 10))\n"
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 121
    assert "0.weight_mask" in [b.name for b in report.buffers]
    assert report.findings == []


def test_transformer_encoder_train_and_eval_fast_path():
    r = run(
        MODELS
        + "layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)\n"
        + "model = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)\n"
        + "y = model(torch.randn(2, 5, 32))\n"
        + "model.eval()\n"
        + "with torch.no_grad():\n    z = model(torch.randn(2, 5, 32))\n"
    )
    report = assert_matches_torch(r, "model")
    # the layer passed in is copied by TransformerEncoder: it is a separate model
    assert r.model("layer").total_params == truth_total(r.namespace["layer"])
    assert report.modules[0].output_shape == [2, 5, 32]
    assert report.findings == []


def test_torchscript_module_is_described_like_the_original():
    r = run(
        MODELS
        + "net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))\n"
        + "scripted = torch.jit.script(net)\n"
        + "y = scripted(torch.randn(4, 2))\n"
    )
    report = assert_matches_torch(r, "scripted")
    assert report.cls == "Sequential (TorchScript)"
    assert report.findings == []
    assert_matches_torch(r, "net")


@pytest.mark.slow
def test_torch_compile_wrapper_counts_like_the_model_and_keeps_the_model_listed():
    r = run(
        MODELS
        + "model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))\n"
        + "compiled = torch.compile(model, backend='eager')\n"
        + "y = compiled(torch.randn(3, 4))\n"
    )
    assert r.error is None
    assert_matches_torch(r, "model")
    report = assert_matches_torch(r, "compiled")
    assert report.cls == "OptimizedModule"
    assert report.state_dict_keys[0] == "_orig_mod.0.weight"


@pytest.mark.slow
def test_meta_device_model_is_inspected_without_allocating():
    r = run(
        MODELS
        + "with torch.device('meta'):\n"
        + "    model = nn.Sequential(nn.Embedding(50257, 768), nn.Linear(768, 50257))\n"
        + "    model[1].weight = model[0].weight\n"
    )
    report = assert_matches_torch(r, "model")
    assert report.total_params == 50257 * 768 + 50257
    assert report.modules[0].devices == ["meta"]
    assert [p.device for p in report.parameters] == ["meta", "meta"]


@pytest.mark.slow
def test_a_900_deep_chain_and_a_10000_module_model():
    r = run(
        MODELS
        + "deep = nn.Linear(2, 2)\n"
        + "for _ in range(900):\n    deep = nn.Sequential(deep)\n"
        + "model = nn.Sequential(*[nn.Linear(2, 2) for _ in range(10_000)])\n"
    )
    report = r.model("model")
    assert len(report.modules) == 10_001 and report.total_params == 60_000
    deep = r.model("deep")
    assert len(deep.modules) == 901 and deep.modules[-1].depth == 900
    assert deep.total_params == 6 and deep.modules[0].total_params == 6
    assert deep.state_dict_keys == ["0." * 900 + "weight", "0." * 900 + "bias"]


def test_models_are_top_level_modules_not_inside_another_with_model_first():
    r = run(
        MODELS
        + "encoder = nn.Linear(4, 4)\n"
        + "other = nn.Linear(1, 1)\n"
        + "model = nn.Sequential(encoder, nn.ReLU())\n"
        + "alias = model\n"
        + "def helper():\n    return nn.Linear(9, 9)\n"
    )
    assert [m.name for m in r.models] == ["model", "other"]


def test_inspect_after_a_failure_midway_reports_what_exists():
    r = run(MODELS + "model = nn.Linear(2, 2)\nmodel(torch.randn(3, 5))\nlater = nn.Linear(1, 1)\n")
    assert isinstance(r.error, RuntimeError)
    assert [m.name for m in r.models] == ["model"]
    assert r.model().total_params == 6


def test_devices_dtypes_trainable_and_bytes():
    r = run(
        MODELS
        + "model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)).double()\n"
        + "model[0].requires_grad_(False)\n"
    )
    report = assert_matches_torch(r, "model")
    rows = {row.path: row for row in report.modules}
    assert rows[""].trainable == "partial" and rows["0"].trainable == "none"
    assert rows["1"].trainable == "all"
    assert rows["1"].dtypes == ["float64", "int64"]
    assert rows[""].devices == ["cpu"]
    assert report.param_bytes == 28 * 8
    assert report.buffer_bytes == 8 * 8 + 8
    assert [b.persistent for b in report.buffers] == [True, True, True]


def test_extra_state_and_custom_save_to_state_dict_are_in_the_keys():
    r = run(
        MODELS
        + """
class WithExtra(nn.Module):
    def get_extra_state(self):
        return {"version": 2}
    def set_extra_state(self, state):
        pass
class Renamed(nn.Linear):
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        destination[prefix + "w"] = self.weight
model = nn.Sequential(WithExtra(), Renamed(2, 2), nn.BatchNorm1d(2))
model[2].register_buffer("scratch", torch.zeros(2), persistent=False)
"""
    )
    report = assert_matches_torch(r, "model")
    assert report.state_dict_keys[:2] == ["0._extra_state", "1.w"]
    assert [b.persistent for b in report.buffers] == [True, True, True, False]


def test_unusual_modules_are_still_described():
    r = run(
        MODELS
        + """
class Cycle(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
cycle = Cycle()
cycle.fc.add_module("back", cycle)  # a module inside itself
class Moody(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
    @property
    def broken(self):
        raise RuntimeError("never read me")
    def __getattr__(self, name):
        if name == "magic":
            return 42
        return super().__getattr__(name)
moody = Moody()
empty = nn.Module()
odd = nn.Sequential(nn.Linear(0, 3), nn.Identity())
odd.register_buffer("nothing", None)
odd.register_parameter("missing", None)
odd.counts = nn.Parameter(torch.zeros(3, dtype=torch.int64), requires_grad=False)
odd.complex = nn.Parameter(torch.zeros(2, dtype=torch.complex64))
"""
    )
    assert r.error is None
    assert [row.path for row in r.model("cycle").modules] == ["", "fc"]
    assert r.model("cycle").total_params == 6
    assert_matches_torch(r, "moody")
    assert r.model("empty").modules[0].trainable == "none"
    report = assert_matches_torch(r, "odd")
    assert report.total_params == 3 + 3 + 2
    assert "missing" not in report.state_dict_keys


@pytest.mark.parametrize("lazy", ["nn.LazyLinear(8)", "nn.LazyConv1d(8, 3)", "nn.LazyBatchNorm1d()"])
def test_a_lazy_layer_shows_its_output_shape_after_the_forward_that_made_it_concrete(lazy):
    # the first call turns LazyLinear into Linear (and so on): the shape still belongs to it
    r = run(MODELS + f"model = nn.Sequential({lazy}, nn.ReLU())\nout = model(torch.randn(4, 5, 6))\n")
    rows = {row.path: row for row in r.model("model").modules}
    assert not rows["0"].cls.startswith("Lazy")
    assert rows["0"].output_shape == list(r.namespace["out"].shape)
    assert rows["1"].output_shape == list(r.namespace["out"].shape)
