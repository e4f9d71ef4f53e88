"""Check kinds against hand-built Reports: each passes on the right state and fails, in words, on the wrong one."""

from __future__ import annotations

import pytest

from modbox.lessons.checks import KINDS, evaluate_one
from modbox.lessons.model import Check
from modbox.report import (
    BufferRow,
    Error,
    Event,
    Finding,
    Model,
    ModuleRow,
    ParameterRow,
    Report,
    Value,
)


def module(path, cls="Linear", training=True):
    return ModuleRow(path=path, cls=cls, depth=path.count(".") + bool(path), own_params=0,
                     total_params=0, trainable="all", training=training)


def param(name, shape, dtype="float32", requires_grad=True):
    numel = 1
    for n in shape:
        numel *= n
    return ParameterRow(name=name, shape=shape, numel=numel, dtype=dtype, device="cpu",
                        requires_grad=requires_grad, has_grad=False)


def tiny_net(**changes) -> Report:
    """`hidden` Linear(4, 8) and `out` Linear(8, 2), as the solution of the anatomy lesson builds."""
    model = Model(
        name="model", cls="TinyNet", total_params=58, trainable_params=50, param_bytes=232,
        buffer_bytes=8,
        modules=[module("", "TinyNet"), module("hidden"), module("out", training=False)],
        parameters=[param("hidden.weight", [8, 4]), param("hidden.bias", [8]),
                    param("out.weight", [2, 8], requires_grad=False), param("out.bias", [2], "float64")],
        buffers=[BufferRow("steps", [2], "int64", "cpu", persistent=False)],
        state_dict_keys=["hidden.weight", "hidden.bias", "out.weight", "out.bias"],
        findings=[Finding("unregistered_tensor", "warning", "", "`scale` is a plain tensor.")],
    )
    events = [
        Event(seq=1, kind="forward_pre", path="", model="model"),
        Event(seq=2, kind="forward", path="hidden", model="model"),
        Event(seq=3, kind="forward", path="out", model="model"),
        Event(seq=4, kind="forward", path="", model="model"),
        Event(seq=5, kind="hook", path="out", model="model", hook="log", hook_kind="forward"),
        Event(seq=6, kind="optimizer_step", model="model",
              detail={"changed": ["hidden.weight", "hidden.bias"], "unchanged": ["out.weight"]}),
        Event(seq=7, kind="zero_grad", model="model", line=12, detail={"by": "optimizer", "set_to_none": True}),
        Event(seq=8, kind="forward_pre", path="out", model="model", grad_enabled=False),
    ]
    values = [
        Value("loss", True, 0.5, True, "0.5"),
        Value("model.out.weight.grad is None", True, False, False, "False"),
        Value("shape", True, [2, 8], True, "torch.Size([2, 8])"),
        Value("gone", False, None, False, "NameError: name 'gone' is not defined"),
        Value("copy_and_load(model, sd)", True, {"missing": ["out.bias"], "unexpected": []}, True, "..."),
        Value("copy_and_load(model, bad)", False, None, False, "RuntimeError: size mismatch for out.weight"),
    ]
    report = Report(ok=True, stdout="torch.Size([5, 2])\n", models=[model], events=events, values=values)
    for key, value in changes.items():
        setattr(report, key, value)
    return report


def check(kind, fail="wrong: {actual}", model=None, **options) -> Check:
    return Check(id="c", kind=kind, label="label", fail=fail, model=model, options=options)


def result(kind, report=None, **options):
    return evaluate_one(check(kind, **options), report or tiny_net())


@pytest.mark.parametrize("kind,options,passed", [
    ("modules", {"has": ["hidden", "out"]}, True),
    ("modules", {"has": ["layers.0"]}, False),
    ("modules", {"lacks": ["layers"]}, True),
    ("modules", {"equals": ["hidden", "out"]}, True),
    ("modules", {"equals": ["out", "hidden"]}, False),
    ("parameters", {"has": ["out.bias"], "lacks": ["scale"]}, True),
    ("buffers", {"equals": ["steps"]}, True),
    ("state_dict", {"lacks": ["steps"]}, True),
    ("state_dict", {"has": ["steps"]}, False),
    ("module", {"path": "hidden", "class": "Linear"}, True),
    ("module", {"path": "out", "training": True}, False),
    ("module", {"path": "nope"}, False),
    ("count", {"of": "params", "equals": 58}, True),
    ("count", {"of": "trainable_params", "at_least": 51}, False),
    ("count", {"of": "param_tensors", "equals": 4}, True),
    ("count", {"of": "buffers", "at_most": 0}, False),
    ("count", {"of": "modules", "equals": 2}, True),
    ("tensor", {"name": "out.weight", "shape": [2, 8], "requires_grad": False}, True),
    ("tensor", {"name": "out.bias", "dtype": "torch.float64"}, True),
    ("tensor", {"name": "hidden.bias", "dtype": "float64"}, False),
    ("tensor", {"name": "steps", "persistent": False, "device": "cpu"}, True),
    ("tensor", {"name": "hidden.weight", "persistent": True}, False),
    ("finding", {"finding": "unregistered_tensor"}, True),
    ("finding", {"finding": "unregistered_tensor", "present": False}, False),
    ("finding", {"finding": "unregistered_tensor", "path": "out"}, False),
    ("events", {"event": "forward", "sequence": ["hidden", "out", ""]}, True),
    ("events", {"event": "forward", "sequence": ["", "hidden", "out"]}, False),
    ("events", {"event": "forward", "sequence": ["hidden", ""], "match": "in_order"}, True),
    ("events", {"event": "forward", "sequence": ["", "hidden"], "match": "in_order"}, False),
    ("events", {"event": "hook", "hook_kind": "forward", "field": "hook", "sequence": ["log"]}, True),
    ("events", {"event": "zero_grad", "count": 1}, True),
    ("events", {"event": "zero_grad", "count": 0}, False),
    ("events", {"event": "zero_grad", "at_least": 1}, True),
    ("events", {"event": "zero_grad", "at_least": 2}, False),
    ("events", {"event": "zero_grad", "count": 1, "detail": {"set_to_none": False}}, False),
    ("events", {"event": "forward_pre", "count": 1, "grad_enabled": False}, True),
    ("events", {"event": "forward_pre", "sequence": ["", "out"]}, True),
    ("events", {"event": "forward_pre", "sequence": ["", "out"], "grad_enabled": False}, False),
    ("value", {"expr": "loss", "equals": 0.5000001}, True),
    ("value", {"expr": "loss", "equals": 0.51}, False),
    ("value", {"expr": "loss", "equals": 0.51, "tolerance": 0.1}, True),
    ("value", {"expr": "loss"}, True),
    ("value", {"expr": "model.out.weight.grad is None"}, False),
    ("value", {"expr": "model.out.weight.grad is None", "equals": False}, True),
    ("value", {"expr": "model.out.weight.grad is None", "equals": 0}, False),
    ("value", {"expr": "shape", "equals": [2, 8]}, True),
    ("value", {"expr": "shape", "equals": [8, 2]}, False),
    ("value", {"expr": "gone"}, False),
    ("value", {"expr": "never asked"}, False),
    ("load", {"state_dict": "sd", "missing": ["out.bias"], "unexpected": []}, True),
    ("load", {"state_dict": "sd", "missing": []}, False),
    ("load", {"state_dict": "sd", "unexpected": []}, True),
    ("load", {"state_dict": "bad", "missing": []}, False),
    ("optimizer", {"changed": ["hidden.weight"], "unchanged": ["out.weight"]}, True),
    ("optimizer", {"changed": ["out.weight"]}, False),
    ("output", {"contains": "torch.Size([5, 2])"}, True),
    ("output", {"contains": "Traceback", "present": False}, True),
    ("output", {"contains": "warning", "stream": "stderr"}, False),
    ("outcome", {"is": "ok"}, True),
    ("outcome", {"is": "exception"}, False),
])
def test_check_kinds_on_a_hand_built_report(kind, options, passed):
    assert result(kind, **options).passed is passed


def test_every_kind_is_exercised_above():
    assert set(KINDS) == {"modules", "parameters", "buffers", "state_dict", "module", "count", "tensor",
                          "finding", "events", "optimizer", "output", "outcome", "value", "load"}


@pytest.mark.parametrize("kind, options", [
    ("value", {"expr": "loss"}),
    ("load", {"state_dict": "sd", "missing": []}),
    ("events", {"event": "zero_grad", "count": 0}),
    ("events", {"event": "direct_forward", "sequence": []}),
    ("optimizer", {"unchanged": ["out.bias"]}),
])
def test_checks_on_what_the_program_did_fail_with_the_reason_when_it_stopped_early(kind, options):
    # An empty event list would pass these checks for the wrong reason: the program never got there.
    stopped = Report(ok=False, error=Error(kind="exception", message="boom", line=4))
    r = result(kind, stopped, **options)
    assert not r.passed
    assert r.message == "The run stopped (exception, line 4), so this cannot be checked until it runs to the end."


def test_value_and_load_checks_say_what_the_run_showed():
    assert result("value", expr="gone").actual == "NameError: name 'gone' is not defined"
    assert result("value", expr="shape", equals=[8, 2]).actual == "torch.Size([2, 8])"
    assert result("value", expr="never asked").actual == "`never asked` was not evaluated in this run"
    assert result("load", state_dict="sd", missing=[]).actual == (
        "missing keys ['out.bias'], unexpected keys nothing")
    assert result("load", state_dict="bad", missing=[]).actual == (
        "loading bad into model raised RuntimeError: size mismatch for out.weight")


def test_a_load_check_the_run_did_not_answer_says_so_in_the_lessons_terms():
    # what modbox asks the sandbox to evaluate is its own helper call: the learner never wrote it
    r = result("load", state_dict="sd", model="restored", missing=[])
    assert not r.passed
    assert r.actual == "loading `sd` into `restored` was not tried in this run"
    assert r.message == "wrong: loading `sd` into `restored` was not tried in this run"


def test_checks_ask_the_sandbox_for_their_expressions_once_each():
    from modbox.lessons.checks import expressions

    asked = expressions([check("value", expr="a + 1"), check("output", contains="x"),
                         check("load", state_dict="sd", model="net", missing=[]),
                         check("value", expr="a + 1", equals=2)])
    assert asked == ["a + 1", "copy_and_load(net, sd)"]


def test_failure_message_fills_in_what_the_run_showed():
    r = evaluate_one(check("modules", fail="Registered: {actual}. Use nn.ModuleList.", has=["layers.0"]),
                     tiny_net())
    assert not r.passed
    assert r.message == "Registered: ['hidden', 'out']. Use nn.ModuleList."


def test_passing_check_has_no_message_but_keeps_the_observation():
    r = result("count", of="params", equals=58)
    assert r.passed and r.message == "" and r.actual == "58"


def test_a_check_on_a_run_that_stopped_before_any_model_says_why():
    report = Report(ok=False, error=Error(kind="exception", message="AttributeError: cannot assign "
                                          "module before Module.__init__() call", line=9))
    r = evaluate_one(check("count", of="params", equals=60, fail="The model holds {actual}."), report)
    assert not r.passed
    assert r.message == "The run stopped (exception, line 9) before it left a model to check."


def test_a_run_without_any_model_says_what_to_do():
    r = evaluate_one(check("modules", has=["fc"]), Report(ok=True))
    assert r.message == ("No nn.Module was left in a top-level variable (like `model = Net()`), so "
                         "there is nothing to check yet.")


def test_a_check_can_name_the_model_it_looks_at():
    r = evaluate_one(check("count", model="teacher", of="params", equals=58), tiny_net())
    assert not r.passed
    assert r.message == "No nn.Module named `teacher` was left in a top-level variable."


def test_outcome_matches_error_kind_and_message():
    report = Report(ok=False, error=Error(kind="exception", message="RuntimeError: mat1 and mat2 shapes "
                                          "cannot be multiplied (5x8 and 4x2)"))
    assert result("outcome", report, **{"is": "exception", "message_contains": "shapes cannot"}).passed
    r = result("outcome", report, **{"is": "ok"})
    assert r.actual == "exception: RuntimeError: mat1 and mat2 shapes cannot be multiplied (5x8 and 4x2)"


def test_optimizer_check_without_any_step_says_so():
    r = result("optimizer", tiny_net(events=[]), changed=["hidden.weight"])
    assert not r.passed and r.actual == "no optimizer step ran"


def test_tensor_check_describes_the_tensor():
    r = result("tensor", name="out.bias", dtype="float32")
    assert r.actual == "'out.bias' is a float64 parameter of shape [2] on cpu, requires_grad=True"


def test_a_long_list_is_cut_in_messages():
    model = tiny_net().models[0]
    model.modules = [module("")] + [module(f"layers.{i}") for i in range(100)]
    r = evaluate_one(check("modules", has=["head"]), Report(ok=True, models=[model]))
    assert r.actual.startswith("['layers.0', 'layers.1', ")
    assert r.actual.endswith("'layers.11', ... (88 more)]")
