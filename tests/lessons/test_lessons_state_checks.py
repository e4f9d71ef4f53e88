"""`value` and `load` checks on the real sandbox: expressions evaluated in the program's final
namespace after it ran, answered in the Report, and a lesson folder checked end to end."""

from __future__ import annotations

import textwrap

import pytest

from modbox.lessons import checks, cli, load_catalog
from modbox.lessons.model import Check
from modbox.sandbox import Sandbox

pytestmark = pytest.mark.slow

TRAIN = """\
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Linear(2, 1)
before = model.weight.detach().clone()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = model(torch.ones(4, 2)).pow(2).mean()
    loss.backward()
    opt.step()
print("done")
"""


def check(kind: str, **options) -> Check:
    return Check("c", kind, "label", "{actual}", options.pop("model", None), options)


def evaluated(sandbox, source: str, *asked: Check):
    report = sandbox.run(source, filename="main.py", evaluate=checks.expressions(asked))
    return report, checks.evaluate(asked, report)


def test_value_checks_compare_the_final_state(sandbox_plain):
    asked = [
        check("value", expr="not torch.equal(model.weight, before)"),
        check("value", expr="model.weight.grad is None", equals=False),
        check("value", expr="step", equals=2),
        check("value", expr="list(model.weight.shape)", equals=[1, 2]),
        check("value", expr="type(opt).__name__", equals="SGD"),
        check("value", expr="round(loss.item(), 3) > 0"),
        check("value", expr="nn.Linear(2, 2).in_features", equals=2),
        check("value", expr="step", equals=3),
    ]
    report, results = evaluated(sandbox_plain, TRAIN, *asked)
    assert report.ok, report.error
    assert [r.passed for r in results] == [True] * 7 + [False]
    assert results[-1].actual == "2"
    assert [v.expr for v in report.values] == [c.options["expr"] for c in asked[:-1]]  # once each


def test_a_float_value_is_compared_with_a_relative_tolerance(sandbox_plain):
    source = "import torch\nx = torch.tensor([0.1, 0.2]).sum().item()\n"
    exact = round(0.1 + 0.2, 7)
    _, results = evaluated(sandbox_plain, source, check("value", expr="x", equals=0.3),
                           check("value", expr="x", equals=0.31),
                           check("value", expr="x", equals=0.31, tolerance=0.05))
    assert [r.passed for r in results] == [True, False, True]
    assert exact == pytest.approx(0.3)


def test_a_failing_expression_says_why_and_hides_none_of_the_others(sandbox_plain):
    source = "import torch\nmodel = torch.nn.Linear(2, 2)\n"
    report, results = evaluated(sandbox_plain, source, check("value", expr="missing_name"),
                                check("value", expr="1 / 0"), check("value", expr="model.in_features", equals=2))
    assert [r.actual for r in results] == ["NameError: name 'missing_name' is not defined",
                                           "ZeroDivisionError: division by zero", "2"]
    assert [r.passed for r in results] == [False, False, True]


def test_evaluation_adds_no_output_events_or_findings(sandbox_plain):
    source = textwrap.dedent("""\
        import torch
        from torch import nn
        class Loud(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
            def forward(self, x):
                print("forward ran")
                return self.fc(x)
        model = Loud()
        """)
    plain = sandbox_plain.run(source, filename="main.py")
    report, results = evaluated(sandbox_plain, source,
                                check("value", expr="model(torch.ones(1, 2)).shape[1]", equals=2),
                                check("value", expr="model.fc.forward(torch.ones(1, 2)) is not None"))
    assert [r.passed for r in results] == [True, True]
    assert report.stdout == plain.stdout == ""
    assert report.events == plain.events == []
    assert report.models == plain.models


def test_nothing_is_evaluated_when_the_program_failed(sandbox_plain):
    source = "import torch\nmodel = torch.nn.Linear(2, 2)\nraise ValueError('stop')\n"
    report, (result,) = evaluated(sandbox_plain, source, check("value", expr="model.in_features", equals=2))
    assert report.error.kind == "exception" and report.values == []
    assert not result.passed
    assert result.message == ("The run stopped (exception, line 3), so this cannot be checked "
                              "until it runs to the end.")


def test_an_expression_that_never_ends_is_stopped_and_the_run_still_reports(sandbox_plain):
    source = "import torch\nmodel = torch.nn.Linear(2, 2)\n"
    report, results = evaluated(sandbox_plain, source,
                                # a Python loop that never ends and never grows (a growing
                                # list meets the memory limit first on a fast machine)
                                check("value", expr="next(x for x in iter(int, 1) if x)"),
                                check("value", expr="model.out_features", equals=2))
    assert report.ok, report.error
    assert results[0].actual == "not evaluated: it took longer than 2 s"
    assert results[1].passed


def test_the_answers_are_in_the_reports_json(sandbox_plain):
    report = sandbox_plain.run("x = [1.5, 2]\n", filename="main.py", evaluate=["x", "len(x)"])
    data = report.to_dict()["values"]
    assert data == [{"expr": "x", "ok": True, "value": [1.5, 2], "truthy": True, "repr": "[1.5, 2]"},
                    {"expr": "len(x)", "ok": True, "value": 2, "truthy": True, "repr": "2"}]


LOADS = """\
import torch
from torch import nn
model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
original = model[0].weight.detach().clone()
clean = {k: torch.zeros_like(v) for k, v in model.state_dict().items()}
wrapped = {"module." + k: v for k, v in clean.items()}
partial = {"0.weight": torch.zeros(2, 2), "extra": torch.zeros(1)}
wrong_shape = {"0.weight": torch.zeros(3, 3)}
"""


def test_load_checks_report_missing_and_unexpected_keys_on_a_copy(sandbox_plain):
    asked = [
        check("load", state_dict="clean", missing=[], unexpected=[]),
        check("load", state_dict="partial", missing=["1.bias", "0.bias", "1.weight"], unexpected=["extra"]),
        check("load", state_dict="wrapped", missing=[]),
        check("load", state_dict="wrong_shape", missing=["0.bias", "1.weight", "1.bias"]),
        check("load", state_dict="clean", model="nope", missing=[]),
        check("value", expr="torch.equal(model[0].weight, original)"),
    ]
    report, results = evaluated(sandbox_plain, LOADS, *asked)
    assert report.ok, report.error
    assert [r.passed for r in results] == [True, True, False, False, False, True]
    assert results[2].actual.startswith("missing keys ['0.weight', '0.bias', '1.weight', '1.bias'], "
                                        "unexpected keys ['module.0.weight',")
    assert results[3].actual.startswith("loading wrong_shape into model raised RuntimeError: Error(s) "
                                        "in loading state_dict for Sequential")
    assert results[4].actual == "loading clean into nope raised NameError: name 'nope' is not defined"
    assert not [e for e in report.events if e.kind == "load_state_dict"]


LESSON = textwrap.dedent('''\
    id = "zeroing"
    title = "Zero the gradients"
    torch = ">=2.0"
    objectives = ["Call zero_grad every step."]
    hints = ["Look at the loop.", "Call opt.zero_grad() before backward."]

    [[steps]]
    id = "task"
    title = "Task"
    text = "Train."
    task = "Make it pass."

    [[checks]]
    id = "zeroed"
    kind = "events"
    event = "zero_grad"
    count = 3
    label = "The gradients are zeroed once per step"
    fail = "Saw {actual}."

    [[checks]]
    id = "trained"
    kind = "value"
    expr = "round(model.weight.sum().item(), 4)"
    equals = {expected}
    label = "The weights are where three clean steps put them"
    fail = "The weights sum to {actual}."

    [[checks]]
    id = "loads"
    kind = "load"
    state_dict = "saved"
    missing = []
    unexpected = []
    label = "The saved state_dict loads into the model"
    fail = "{actual}"
    ''')

SOLUTION = """\
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    model(torch.ones(4, 2)).pow(2).mean().backward()
    opt.step()
saved = model.state_dict()
print(round(model.weight.sum().item(), 4))
"""


def test_lessons_check_runs_value_and_load_checks_and_catches_cheats(tmp_path, capsys):
    with Sandbox(tier="plain") as sandbox:
        expected = sandbox.run(SOLUTION).stdout.strip()
    folder = tmp_path / "zeroing"
    (folder / "cheats").mkdir(parents=True)
    (folder / "lesson.toml").write_text(LESSON.replace("{expected}", expected))
    (folder / "solution.py").write_text(SOLUTION)
    (folder / "starter.py").write_text(SOLUTION.replace("    opt.zero_grad()\n", ""))
    # prints the right number without training right: the value check catches it
    (folder / "cheats" / "printed.py").write_text(
        SOLUTION.replace("    opt.zero_grad()\n", "    model.zero_grad()\n    opt.zero_grad()\n")
        .replace("    opt.step()\n", "") + f"print({expected})\n")
    # zeroes the gradients with the right count but a wrong loop: caught by the value
    (folder / "cheats" / "no_step.py").write_text(SOLUTION.replace("    opt.step()\n", ""))
    assert cli.check(load_catalog(folder)) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "✓ zeroing: 3 checks, 0 predictions, 2 cheats" in out
    (folder / "cheats" / "copied.py").write_text(SOLUTION)
    assert cli.check(load_catalog(folder)) == 1
    assert (f"{folder / 'cheats' / 'copied.py'}:1: cheats/copied.py: this cheat passes every check"
            in capsys.readouterr().out)


def test_every_tier_answers_expressions_and_reports_save_and_load(sandbox_each_tier):
    source = ("import torch\nfrom torch import nn\nmodel = nn.Linear(2, 1)\n"
              "torch.save(model.state_dict(), 'w.pt')\nback = torch.load('w.pt')\n")
    asked = [check("value", expr="sorted(back)", equals=["bias", "weight"]),
             check("load", state_dict="back", missing=[], unexpected=[])]
    report, results = evaluated(sandbox_each_tier, source, *asked)
    assert report.ok, report.error
    assert [r.passed for r in results] == [True, True], [r.actual for r in results]
    assert [(e.kind, e.detail.get("what")) for e in report.events] == [("save", "state_dict"),
                                                                        ("load", "state_dict")]
