"""The probe patched once in a process that forks run children (the zygote), switched on only
while a run goes: it reports what a probe installed for that run alone reports, and switched off
it sees nothing and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import ROOT

# Each test starts fresh interpreters that import torch.
pytestmark = pytest.mark.slow


PROGRAM = """
import torch
from torch import nn
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        self.register_buffer("scale", torch.ones(2))

    def forward(self, x):
        return self.body(x) * self.scale


model = Net()
handle = model.body.register_forward_hook(lambda m, i, o: None)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss = model(torch.randn(3, 4)).sum()
opt.zero_grad()
loss.backward()
opt.step()
handle.remove()
torch.save(model.state_dict(), "weights.pt")
model.load_state_dict(torch.load("weights.pt"))
model.body.forward(torch.randn(1, 4))
"""

# Prints the report of PROGRAM run under the probe as JSON; with "resident", the probe is
# installed switched off first; the forward pass after the run must add no event to it.
SCRIPT = """
import json, os, sys, tempfile
sys.path.insert(0, sys.argv[1])
os.chdir(tempfile.mkdtemp())
import torch
import modbox.probe
from tests.support.probe import Run

resident = sys.argv[2] == "resident"
if resident:
    modbox.probe.install_resident()
torch.nn.Linear(2, 2)(torch.ones(1, 2)).sum().backward()
r = Run(sys.stdin.read())
torch.nn.Linear(2, 2)(torch.ones(1, 2)).sum().backward()
assert r.error is None, r.error
for e in r.events_raw:
    e.pop("duration_us", None)
print(json.dumps({"events": r.events_raw, "models": r.report.to_dict()["models"]}, sort_keys=True, default=str))
"""


def probe_report(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT), mode], input=PROGRAM,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_resident_probe_reports_exactly_what_a_probe_of_its_own_reports():
    alone = probe_report("alone")
    resident = probe_report("resident")
    kinds = {e["kind"] for e in alone["events"]}
    assert {"forward", "backward", "hook", "hook_removed", "optimizer_step", "zero_grad",
            "save", "load", "load_state_dict", "direct_forward"} <= kinds
    assert resident["events"] == alone["events"]
    assert resident["models"] == alone["models"]


def test_a_switched_off_resident_probe_passes_everything_through():
    script = """
import sys
sys.path.insert(0, sys.argv[1])
import torch
from torch import nn
from torch.nn.modules import module as m
import modbox.probe
from modbox.probe import Probe

plain = (nn.Module.__setattr__, torch.save, torch.optim.Optimizer.__init__)
modbox.probe.install_resident()
assert nn.Module.__setattr__ is not plain[0]
events = []
probe = Probe("<string>", emit=events.append)
probe.install()
probe.uninstall()
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(inplace=True))
model.register_forward_hook(lambda mod, i, o: o * 2)
out = model(torch.ones(1, 3))
out.sum().backward()
torch.optim.SGD(model.parameters(), lr=1.0).step()
try:
    model.load_state_dict({"nope": torch.ones(1)})
except RuntimeError as e:
    assert e.__traceback__.tb_next.tb_frame.f_code.co_name == "load_state_dict"
assert events == [], events
print(out.tolist(), model[0].weight.grad.sum().item())
"""
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    plain = subprocess.run([sys.executable, "-c", script.replace(
        "modbox.probe.install_resident()\nassert nn.Module.__setattr__ is not plain[0]\n", ""),
        str(ROOT)], capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr
    assert done.stdout == plain.stdout
