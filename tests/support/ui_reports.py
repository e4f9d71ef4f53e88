"""Hand-written Reports for the UI tests: deterministic, shaped like what the inspector produces."""

from __future__ import annotations

import re

import math

from modbox.report import (
    BufferRow, Error, Event, Finding, GradNorm, Histogram, Model, ModuleRow, ModuleValues,
    OutputStats, ParameterRow, ParameterValues, Report, Timing,
)


def linear(path: str, n_in: int, n_out: int, depth: int = 1) -> tuple[ModuleRow, list[ParameterRow]]:
    numel = n_in * n_out + n_out
    row = ModuleRow(path=path, cls="Linear", depth=depth, own_params=numel, total_params=numel,
                    trainable="all", training=True, devices=["cpu"], dtypes=["float32"],
                    output_shape=[2, n_out])
    params = [
        ParameterRow(name=f"{path}.weight", shape=[n_out, n_in], numel=n_in * n_out, dtype="float32",
                     device="cpu", requires_grad=True, has_grad=False),
        ParameterRow(name=f"{path}.bias", shape=[n_out], numel=n_out, dtype="float32",
                     device="cpu", requires_grad=True, has_grad=False),
    ]
    return row, params


def mlp_model(layers: list[tuple[str, int, int]], name: str = "model", findings=()) -> Model:
    rows, params = [], []
    for path, n_in, n_out in layers:
        row, ps = linear(path, n_in, n_out, depth=path.count(".") + 1)
        rows.append(row)
        params += ps
    total = sum(p.numel for p in params)
    root = ModuleRow(path="", cls="MLP", depth=0, own_params=0, total_params=total,
                     trainable="all" if total else "none", training=True,
                     devices=["cpu"] if total else [], dtypes=["float32"] if total else [],
                     output_shape=[2, layers[-1][2]] if layers else None)
    containers = sorted({p.rsplit(".", 1)[0] for p, _, _ in layers if "." in p})
    for c in containers:
        inner = sum(r.total_params for r in rows if r.path.startswith(c + "."))
        rows.append(ModuleRow(path=c, cls="ModuleList", depth=c.count(".") + 1, own_params=0,
                              total_params=inner, trainable="all", training=True,
                              devices=["cpu"], dtypes=["float32"]))
    rows.sort(key=lambda r: r.path.split("."))
    return Model(
        name=name, cls="MLP", total_params=total, trainable_params=total,
        param_bytes=4 * total, buffer_bytes=0, modules=[root] + rows, parameters=params,
        state_dict_keys=[p.name for p in params],
        state_dict_shapes={p.name: p.shape for p in params}, findings=list(findings),
    )


def showcase_report() -> Report:
    """One report that exercises every pane: tied weights, a non-persistent buffer, a frozen
    layer, a finding with a line, the learner's hook, a direct forward call, markup-looking output."""
    model = mlp_model([("fc1", 4, 16), ("fc2", 16, 3)], findings=[
        Finding(kind="unregistered_module", severity="warning", path="",
                message="self.extra holds nn.Linear layers in a plain list: nn.Module cannot see "
                        "them. Use nn.ModuleList.", line=9),
        Finding(kind="direct_forward", severity="info", path="fc1",
                message="fc1.forward() was called directly, so its hooks did not run. Call fc1(x).",
                line=17),
    ])
    model.parameters[2].requires_grad = False  # fc2.weight frozen
    model.trainable_params -= model.parameters[2].numel
    model.modules[2].trainable = "partial"
    model.buffers = [
        BufferRow(name="fc1.scale", shape=[16], dtype="float32", device="cpu", persistent=False),
    ]
    model.buffer_bytes = 64
    add_values(model)
    model.parameters[0].tied_to = ["head.weight"]
    model.state_dict_keys.append("head.weight")
    model.state_dict_shapes["head.weight"] = [16, 4]
    events = [
        Event(seq=0, kind="forward_pre", path="", model="model", cls="MLP", inputs=[[2, 4]]),
        Event(seq=1, kind="forward", path="fc1", model="model", cls="Linear", inputs=[[2, 4]],
              outputs=[[2, 16]], dtype="float32", device="cpu", duration_us=41.0),
        Event(seq=2, kind="hook", path="fc1", model="model", cls="Linear", hook="show_shape",
              hook_kind="forward", line=12),
        Event(seq=3, kind="forward", path="fc2", model="model", cls="Linear", inputs=[[2, 16]],
              outputs=[[2, 3]], dtype="float32", device="cpu", duration_us=18.0),
        Event(seq=4, kind="forward", path="", model="model", cls="MLP", inputs=[[2, 4]],
              outputs=[[2, 3]], dtype="float32", device="cpu", duration_us=95.0),
        Event(seq=5, kind="direct_forward", path="fc1", model="model", cls="Linear", line=17),
    ]
    return Report(
        ok=True, models=[model], events=events, events_total=6,
        stdout="torch.Size([2, 3])\n[bold]not markup[/bold] \x1b[31mno colour\x1b[0m\n",
        stderr="a warning on stderr\n", sandbox="bwrap", timing=Timing(run=7.0, total=12.0),
    )


def add_values(model: Model, calls: int = 40) -> None:
    """Deterministic statistics for every layer of ``model``: outputs that settle over 40 calls,
    gradient norms that shrink, bell-shaped histograms."""
    bell = Histogram(lo=-2.0, hi=2.0, counts=[round(100 * math.exp(-((i - 11.5) / 5) ** 2)) for i in range(24)])
    for k, row in enumerate(model.modules):
        outputs = [OutputStats(call=c, step=c, numel=32, mean=0.1 * k - 0.02 * c / calls,
                               std=1.0 + k * 0.2 + 0.5 * math.exp(-c / 8), min=-2.0 - k, max=2.0 + k,
                               zeros=0.0, nan=0, inf=0) for c in range(0, calls, 2)]
        model.values.append(ModuleValues(path=row.path, cls=row.cls, calls=calls, outputs=outputs,
                                         histogram=bell))
    for j, p in enumerate(model.parameters):
        norms = [GradNorm(backward=b, step=b, norm=(0.5 + j) * math.exp(-b / 15)) for b in range(0, calls, 2)]
        model.grads.append(ParameterValues(name=p.name, grad_norms=norms, histogram=bell))
    model.backwards = calls


def shape_error_report() -> Report:
    """A CNN whose forward failed at ``fc``: the modules before it have their output shapes,
    ``fc`` has a shape_mismatch finding."""
    model = mlp_model([("conv", 1, 8), ("down", 8, 8), ("fc", 1568, 10)], findings=[
        Finding(kind="shape_mismatch", severity="warning", path="fc", line=12,
                message="`model.fc` was built with in_features=1568 but receives 8x13x13 = 1352 "
                        "features (`model.down` gives [4, 8, 13, 13], flattened to [4, 1352]): use "
                        "nn.Linear(1352, 10), or make the layers before it give 8x14x14 instead of "
                        "8x13x13 (e.g. padding=1 in the convolutions)."),
    ])
    model.modules[1].output_shape = [4, 8, 26, 26]
    model.modules[2].output_shape = [4, 8, 13, 13]
    model.modules[3].output_shape = None
    model.modules[0].output_shape = None
    return Report(
        ok=False, models=[model], sandbox="bwrap", timing=Timing(run=6.0, total=10.0),
        error=Error(kind="exception", line=17,
                    message="RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x1352 and 1568x10)",
                    traceback='  File "main.py", line 17, in forward\n    return self.fc(x)\n'
                              "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x1352 and 1568x10)\n"),
    )


def error_report(line: int = 3) -> Report:
    return Report(
        ok=False, sandbox="bwrap", timing=Timing(run=3.0, total=8.0),
        error=Error(kind="exception", line=line,
                    message="NameError: name 'nn' is not defined. Did you forget `from torch import nn`?",
                    traceback=f'  File "main.py", line {line}, in <module>\n    layer = nn.Linear(4, 8)\n'
                              "NameError: name 'nn' is not defined\n"),
    )


def report_from_source(source: str) -> Report:
    """A tiny stand-in for the inspector: every ``name = nn.Linear(a, b)`` line is a layer of
    ``model``; layers built inside a plain list (``[nn.Linear(...)``) are not registered and
    raise a finding; ``raise`` anywhere fails the run at that line, with the model as built
    up to it (as the inspector reports a failed run)."""
    layers, findings = [], []
    for i, line in enumerate(source.splitlines(), 1):
        if line.strip().startswith("raise"):
            failed = error_report(line=i)
            failed.models = [mlp_model(layers, findings=findings)] if layers else []
            return failed
        m = re.search(r"(\w+)\s*=\s*(\[)?\s*nn\.Linear\((\d+),\s*(\d+)\)", line)
        if not m:
            continue
        name, in_list, n_in, n_out = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
        if in_list:
            findings.append(Finding(kind="unregistered_module", severity="warning", path="",
                                    message=f"{name} is a plain list of layers: use nn.ModuleList.",
                                    line=i))
        else:
            layers.append((name, n_in, n_out))
    model = mlp_model(layers, findings=findings)
    return Report(ok=True, models=[model], sandbox="bwrap", timing=Timing(run=5.0, total=9.0),
                  stdout=f"{len(layers)} layers\n")


def many_events_report(n: int = 100_000) -> Report:
    """A training-loop-sized run: ``n`` events over a two-layer model, every 1000th a learner hook."""
    events = []
    for seq in range(n):
        if seq % 1000 == 999:
            events.append(Event(seq=seq, kind="hook", path="fc1", model="model", cls="Linear",
                                hook="log_shape", hook_kind="forward", line=12))
        else:
            path = ("fc1", "fc2")[seq % 2]
            events.append(Event(seq=seq, kind="forward", path=path, model="model", cls="Linear",
                                inputs=[[32, 8]], outputs=[[32, 8]], dtype="float32", device="cpu",
                                duration_us=3.0))
    model = mlp_model([("fc1", 8, 8), ("fc2", 8, 8)])
    return Report(ok=True, models=[model], events=events, events_total=n, sandbox="bwrap",
                  timing=Timing(run=900.0, total=950.0))


def huge_model_report(blocks: int = 100, per_block: int = 99) -> Report:
    """A model with ``blocks`` ModuleLists of ``per_block`` Linear(4, 4) layers
    (10,002 for the defaults: root, blocks, 100 lists, 9,900 layers), every one listed as the inspector would."""
    rows = [ModuleRow(path="", cls="Deep", depth=0, own_params=0, total_params=0, trainable="all",
                      training=True)]
    params = []
    for b in range(blocks):
        block = ModuleRow(path=f"blocks.{b}", cls="ModuleList", depth=2, own_params=0,
                          total_params=20 * per_block, trainable="all", training=True)
        rows.append(block)
        for i in range(per_block):
            row, ps = linear(f"blocks.{b}.{i}", 4, 4, depth=3)
            rows.append(row)
            params += ps
    rows.insert(1, ModuleRow(path="blocks", cls="ModuleList", depth=1, own_params=0,
                             total_params=20 * per_block * blocks, trainable="all", training=True))
    total = sum(p.numel for p in params)
    rows[0].total_params = total
    model = Model(name="model", cls="Deep", total_params=total, trainable_params=total,
                  param_bytes=4 * total, buffer_bytes=0, modules=rows, parameters=params,
                  state_dict_keys=[p.name for p in params],
                  state_dict_shapes={p.name: p.shape for p in params})
    return Report(ok=True, models=[model], sandbox="bwrap", timing=Timing(run=40.0, total=60.0))


def flat_model_report(n: int = 10_000) -> Report:
    """One nn.Sequential with ``n`` children: the widest tree a learner can build."""
    rows = [ModuleRow(path="", cls="Sequential", depth=0, own_params=0, total_params=0,
                      trainable="none", training=True)]
    rows += [ModuleRow(path=str(i), cls="ReLU", depth=1, own_params=0, total_params=0,
                       trainable="none", training=True) for i in range(n)]
    model = Model(name="model", cls="Sequential", total_params=0, trainable_params=0,
                  param_bytes=0, buffer_bytes=0, modules=rows)
    return Report(ok=True, models=[model], sandbox="bwrap", timing=Timing(run=30.0, total=50.0))
