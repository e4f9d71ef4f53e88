"""Inside the run child: instrument the learner's program and inspect the modules it built.

This is the only package besides ``modbox.sandbox``'s worker side that imports torch.

    probe = Probe(filename, emit=sink.emit)
    probe.install()
    try:
        exec(compile(source, filename, "exec"), namespace)
    finally:
        probe.uninstall()
    models = probe.inspect(namespace)   # also after a failure midway

Parts: ``calls`` (module calls as events), ``patches`` (the torch API the learner calls),
``index`` (model and path of a module at event time), ``describe`` (counts, rows, state_dict),
``findings`` (silent bugs), ``source`` (direct forward calls the run cannot see), ``tree``
(iterative walks), ``values`` (shapes, dtypes, devices).
"""

from __future__ import annotations

import gc
import linecache
from typing import Callable

# Imported here rather than per run, so that a zygote that imports the probe before forking
# hands every run child these modules ready to use.
import torch
from torch import nn

from modbox.probe import sealed, tree
from modbox.probe.calls import CallRecorder
from modbox.probe.describe import describe
from modbox.probe.findings import find
from modbox.probe.index import PathIndex
from modbox.probe.patches import Patches
from modbox.probe.session import Session
from modbox.probe.source import direct_forward_calls
from modbox.probe.values import numel


class Probe:
    """Instrumentation for one run.

    The run child calls ``install()`` before executing the learner's code, ``uninstall()`` after
    it (also when it failed), then ``inspect(namespace)`` to describe the models it left behind.
    ``emit`` receives each event as a dict shaped like ``modbox.report.Event``; the sandbox
    batches, caps and counts them.
    """

    def __init__(self, filename: str, emit: Callable[[dict], None]):
        self.filename = filename
        self.emit = emit
        self._session = Session(filename, emit)
        self._index = PathIndex(self._session)
        if _resident is None:
            self._calls = CallRecorder(self._session, self._index)
            self._patches = Patches(self._session, self._index, self._calls)
        else:
            self._calls, self._patches = _resident
        self._installed = False
        self._watch: sealed.Watch | None = None
        # ``tampering`` findings (dicts shaped like ``modbox.report.Finding``): what the program
        # changed in torch or builtins, and its classes that describe themselves
        self.tampering: list[dict] = []

    def install(self) -> None:
        if self._installed:
            return
        self._installed = True
        if _resident is None:
            self._patches.install()
            self._calls.install()
        else:
            self._calls.bind(self._session, self._index)
            self._patches.bind(self._session, self._index, self._calls)
            self._patches.on = True
            self._calls.switch_on()
        self._watch = sealed.Watch()  # after the probe's own patches: they are not the learner's

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        # before unpatching, which would look like a change
        source = "".join(linecache.getlines(self.filename))
        changes = self._watch.changes(source, self.filename)
        if changes:
            self.tampering += sealed.tampering(changes, source, self.filename)
        if _resident is None:
            self._calls.uninstall()
            self._patches.uninstall()
            return
        self._calls.switch_off()
        self._patches.on = False

    def inspect(self, namespace: dict) -> list[dict]:
        """Model dicts shaped like ``modbox.report.Model`` (JSON keys), ``model`` first."""
        direct = self._session.facts.direct_forward
        for module, line in direct_forward_calls(self.filename, namespace):
            direct.setdefault(id(module), line)
        models = []
        collecting = gc.isenabled()
        gc.disable()  # inspecting allocates many small objects; collections would cost 4x
        try:
            for name, module in tree.models_in(namespace):
                try:
                    model, view = describe(name, module, self._session.facts)
                    model["findings"] = find(view, self._session.facts, namespace)
                    for found in sealed.overrides(tree.unique_modules(module), self.filename):
                        if found not in self.tampering:
                            self.tampering.append(found)
                except Exception:  # never lose the run's report over one odd module
                    model = _plain_counts(name, module)
                models.append(model)
        finally:
            if collecting:
                gc.enable()
        return models


    def objects(self, namespace: dict) -> dict[str, int]:
        """id() of each module and optimizer in a top-level variable: events carry the id of
        the object they are about, so a check can count only the task's own objects."""
        return {name: id(value) for name, value in list(namespace.items())
                if isinstance(value, (nn.Module, torch.optim.Optimizer))
                and isinstance(name, str) and not name.startswith("__")}


_resident: tuple[CallRecorder, Patches] | None = None


def install_resident() -> None:
    """Patch torch and register the probe's hooks now, switched off, for every ``Probe`` made
    in this process (or in a process forked from it) from then on.

    A zygote calls this once before it forks: patching ``nn.Module`` and the rest costs each
    process milliseconds (every subclass's method cache is invalidated, and in a forked child
    those writes copy pages), and a run child then only switches the probe on for its run.
    Switched off, every patch and hook passes straight through to torch. Never undone.
    """
    global _resident
    if _resident is not None:
        return
    session = Session("", _drop)
    index = PathIndex(session)
    calls = CallRecorder(session, index)
    patches = Patches(session, index, calls)
    patches.patch()
    calls.hook()
    _resident = (calls, patches)


def _drop(event: dict) -> None:
    """Where a switched-off probe's events would go: it sends none."""


def _plain_counts(name: str, module) -> dict:
    """The plain counts, for a module the full description failed on."""
    try:
        params = list(module.parameters())
    except Exception:
        params = []
    return {
        "name": name,
        "class": type(module).__name__,
        "total_params": sum(numel(p) for p in params),
        "trainable_params": sum(numel(p) for p in params if p.requires_grad),
        "param_bytes": 0,
        "buffer_bytes": 0,
    }
