"""Run source in this process exactly the way the sandbox's run child does, and read the result."""

from __future__ import annotations

import json
import linecache
import textwrap

from modbox.probe import Probe
from modbox.report import Event, Model, Report
from tests.support import ROOT

FILENAME = "/learner/main.py"


class Run:
    def __init__(self, source: str, filename: str = FILENAME):
        self.source = textwrap.dedent(source)
        self.events_raw: list[dict] = []
        self.namespace: dict = {"__name__": "__main__"}
        self.error: BaseException | None = None
        # the sandbox puts the source where tracebacks (and the probe) find it
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True), filename)
        probe = Probe(filename, emit=self.events_raw.append)
        probe.install()
        try:
            exec(compile(self.source, filename, "exec"), self.namespace)
        except Exception as error:
            self.error = error
        finally:
            probe.uninstall()
        for seq, event in enumerate(self.events_raw):  # numbered as the sandbox's sink does
            event["seq"] = seq
        models = probe.inspect(self.namespace)
        # a model without rows is the plain fallback: the full description failed
        assert all("modules" in m for m in models), [m["name"] for m in models]
        # through JSON, as in the sandbox: what the UI reads is what the tests check
        data = json.loads(json.dumps({"models": models, "events": self.events_raw}))
        report = Report.from_dict(data)
        self.models: list[Model] = report.models
        self.events: list[Event] = report.events
        self.report = report

    def model(self, name: str | None = None) -> Model:
        found = self.report.model(name)
        assert found is not None, f"no model {name!r} in {[m.name for m in self.models]}"
        return found

    def findings(self, kind: str, name: str | None = None) -> list:
        return [f for f in self.model(name).findings if f.kind == kind]

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


def run(source: str) -> Run:
    return Run(source)


EXAMPLES = ROOT / "examples"

# example file -> the findings it must produce (kind, path); nothing else
EXPECTED = {
    "plain_list.py": [("unregistered_module", "")],
    "plain_parameters.py": [("unregistered_parameter", "")],
    "plain_tensor.py": [("unregistered_tensor", "")],
    "direct_forward.py": [("direct_forward", "")],
    "layer_in_forward.py": [("module_created_in_forward", "head")],
    "late_layer_optimizer.py": [("optimizer_missing_params", "2")],
    "dtype_mismatch.py": [("dtype_mismatch", "2")],
    "device_mismatch.py": [("device_mismatch", "2")],
    "whole_model_saved.py": [("whole_model_saved", "")],
    "tied_weights.py": [("shared_parameter", "embed")],
    "lazy_layers.py": [("lazy_uninitialized", "0"), ("lazy_uninitialized", "2")],
    "state_dict_prefix.py": [("state_dict_prefix", "")],
    "mlp.py": [],
    "cnn.py": [],
    "transformer.py": [],
    "standard_layers.py": [],
}
