"""The probe inside the real sandbox: examples end to end, the event cap, ``modbox inspect``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from modbox.sandbox import Limits, Sandbox
from tests.support.probe import EXAMPLES, EXPECTED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox(tier="plain", limits=Limits(wall=60.0, memory_mb=2048, max_events=10_000))
    assert sb.wait_ready(120), "the zygote did not start"
    yield sb
    sb.close()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_through_the_sandbox(sandbox, name):
    path = EXAMPLES / name
    report = sandbox.run(path.read_text(), filename=str(path))
    assert report.ok, report.error
    assert [(f.kind, f.path) for m in report.models for f in m.findings] == EXPECTED[name]
    assert report.models and report.models[0].name == "model"


def test_events_past_the_cap_are_counted_exactly(sandbox):
    calls = 12_345  # each call of the Linear gives forward_pre and forward
    report = sandbox.run(
        "import torch\nfrom torch import nn\nlayer = nn.Linear(2, 2)\nx = torch.ones(1, 2)\n"
        f"with torch.no_grad():\n    for _ in range({calls}):\n        layer(x)\n",
        filename="many.py",
    )
    assert report.ok
    assert report.events_total == 2 * calls
    assert len(report.events) == 10_000
    assert report.events_dropped == 2 * calls - 10_000
    assert [e.kind for e in report.events[:2]] == ["forward_pre", "forward"]


def test_whole_model_saved_in_the_sandbox_is_found_and_save_still_works(sandbox):
    report = sandbox.run(
        "import torch\nfrom torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n"
        "model = Net()\n"
        "torch.save(model, 'net.pt')\n"
        "print(type(torch.load('net.pt', weights_only=False)).__name__)\n",
        filename="save.py",
    )
    assert report.ok, report.error
    assert report.stdout == "Net\n"
    (finding,) = report.models[0].findings
    assert (finding.kind, finding.line) == ("whole_model_saved", 8)


def test_modbox_inspect_prints_tree_totals_findings_and_events():
    env = dict(os.environ, MODBOX_SANDBOX="plain")
    result = subprocess.run(
        [sys.executable, "-m", "modbox", "inspect", str(EXAMPLES / "late_layer_optimizer.py"),
         "--events", "3"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    out = result.stdout
    flat = " ".join(out.split())  # the terminal is 80 columns: long lines wrap
    assert result.returncode == 0, result.stderr
    assert "├─ 0" in out and "└─ 2" in out
    assert "Total params: 49" in out and "Trainable params: 49" in out
    assert "line 7" in out and "optimizer_missing_params" in out
    assert "last 3 of" in out and "optimizer_step" in out
    assert "not changed: 2.weight, 2.bias" in flat
