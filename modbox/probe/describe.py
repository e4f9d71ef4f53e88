"""Describe one model as a ``report.Model`` dict: counts, module rows, parameters, buffers,
state_dict keys. PyTorch is the ground truth: the total is ``sum(p.numel() for p in
model.parameters())`` (each tensor once, lazy ones left out), the rows are
``named_modules(remove_duplicate=False)``, the keys are ``state_dict()``'s, in order.

Walks are iterative (no recursion limit), no tensor data is read (meta models cost nothing),
and the learner's state_dict hooks are not run.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.parameter import is_lazy

from modbox.probe import tree
from modbox.probe.session import Facts
from modbox.probe.values import class_name, device_name, dtype_name, plain_shape

_PLAIN_SAVE = nn.Module._save_to_state_dict
_PLAIN_EXTRA = nn.Module.get_extra_state
_NOTHING: list = []  # shared, never appended to


@dataclass(slots=True)
class Info:
    """What a row needs to know about one tensor, read once."""

    tensor: torch.Tensor
    names: list[str]
    numel: int
    nbytes: int
    shape: list[int]
    dtype: str
    device: str
    lazy: bool
    floating: bool


@dataclass
class View:
    """What findings need to know about one model, computed once."""

    name: str
    model: nn.Module
    rows: list[tree.Row]
    paths: dict[int, list[str]]  # id(module) -> every path, first one first
    params: dict[int, Info] = field(default_factory=dict)
    buffers: dict[int, Info] = field(default_factory=dict)


def _info(t: torch.Tensor, name: str) -> Info:
    lazy = is_lazy(t)
    numel = 0 if lazy else t.numel()
    dtype = t.dtype
    return Info(
        t,
        [name],
        numel,
        numel * dtype.itemsize,
        [] if lazy else list(t.shape),
        dtype_name(dtype),
        device_name(t.device),
        lazy,
        dtype.is_floating_point or dtype.is_complex,
    )


def describe(name: str, model: nn.Module, facts: Facts) -> tuple[dict, View]:
    rows, omitted = tree.rows(model)
    view = View(name, model, rows, {})
    params, buffers, paths = view.params, view.buffers, view.paths
    persistent: dict[int, bool] = {}
    own: list[list[Info]] = []  # per row: its own parameters
    own_buffers: list[list[Info]] = []
    keys: dict[str, list[int]] = {}  # state_dict keys in order, with shapes
    for row in rows:
        m = row.module
        paths.setdefault(id(m), []).append(row.path)
        prefix = f"{row.path}." if row.path else ""
        mine = []
        local: list[tuple[str, Info]] = []  # this module's own names, for state_dict keys
        for pname, p in _items(m, "_parameters"):
            info = params.get(id(p))
            if info is None:
                info = params[id(p)] = _info(p, prefix + pname)
            else:
                info.names.append(prefix + pname)
            mine.append(info)
            local.append((pname, info))
        theirs = []
        buffer_items = _items(m, "_buffers")
        if buffer_items:
            non_persistent = getattr(m, "_non_persistent_buffers_set", ())
            for bname, b in buffer_items:
                info = buffers.get(id(b))
                if info is None:
                    info = buffers[id(b)] = _info(b, prefix + bname)
                    persistent[id(b)] = bname not in non_persistent
                else:
                    info.names.append(prefix + bname)
                theirs.append(info)
                if bname not in non_persistent:
                    local.append((bname, info))
        own.append(mine)
        own_buffers.append(theirs)
        cls = type(m)
        if local or cls._save_to_state_dict is not _PLAIN_SAVE or cls.get_extra_state is not _PLAIN_EXTRA:
            _state_dict_keys(m, prefix, keys, local)

    shared = len(paths) != len(rows) or any(len(i.names) > 1 for i in params.values())
    parameters = []
    total = trainable = lazy = pbytes = 0
    for info in params.values():
        p = info.tensor
        total += info.numel
        pbytes += info.nbytes
        if p.requires_grad:
            trainable += info.numel
        lazy += info.lazy
        parameters.append(
            {
                "name": info.names[0],
                "shape": info.shape,
                "numel": info.numel,
                "dtype": info.dtype,
                "device": info.device,
                "requires_grad": p.requires_grad,
                "has_grad": p.grad is not None,
                "lazy": info.lazy,
                "tied_to": info.names[1:],
            }
        )
    buffer_rows = [
        {
            "name": info.names[0],
            "shape": info.shape,
            "dtype": info.dtype,
            "device": info.device,
            "persistent": persistent[key],
        }
        for key, info in buffers.items()
    ]
    return (
        {
            "name": name,
            "class": class_name(model),
            "total_params": total,
            "trainable_params": trainable,
            "param_bytes": pbytes,
            "buffer_bytes": sum(info.nbytes for info in buffers.values()),
            "lazy_params": lazy,
            "modules": _module_rows(rows, own, own_buffers, shared, view, facts),
            "modules_omitted": omitted,
            "parameters": parameters,
            "buffers": buffer_rows,
            "state_dict_keys": list(keys),
            "state_dict_shapes": keys,
        },
        view,
    )


def _items(module: nn.Module, attr: str) -> list:
    found = getattr(module, attr, None)
    if not found:
        return _NOTHING
    try:
        return [(k, v) for k, v in found.items() if v is not None]
    except Exception:
        return _NOTHING


def _state_dict_keys(m, prefix: str, keys: dict, local: list) -> None:
    """What ``m._save_to_state_dict`` adds, without calling it unless the class changed it."""
    cls = type(m)
    if cls._save_to_state_dict is _PLAIN_SAVE and cls.get_extra_state is _PLAIN_EXTRA:
        for name, info in local:
            keys[prefix + name] = info.shape
        return
    dest: OrderedDict = OrderedDict()
    try:
        m._save_to_state_dict(dest, prefix, True)
    except Exception:
        return
    for key, value in dest.items():
        is_tensor = isinstance(value, torch.Tensor)
        keys[key] = list(value.shape) if is_tensor and not is_lazy(value) else []


def _module_rows(rows, own, own_buffers, shared: bool, view: View, facts: Facts) -> list[dict]:
    n = len(rows)
    own_counts = [sum(i.numel for i in infos) if infos else 0 for infos in own]
    devices = [
        {i.device for i in a} | {i.device for i in b} if a or b else set()
        for a, b in zip(own, own_buffers)
    ]
    dtypes = [
        {i.dtype for i in a} | {i.dtype for i in b} if a or b else set()
        for a, b in zip(own, own_buffers)
    ]
    if shared:  # count each tensor once per subtree
        ids = [{id(i.tensor) for i in infos} for infos in own]
        for i in range(n - 1, 0, -1):
            ids[rows[i].parent] |= ids[i]
        params = view.params
        totals = [sum(params[k].numel for k in s) for s in ids]
        counts = [len(s) for s in ids]
        trained = [sum(1 for k in s if params[k].tensor.requires_grad) for s in ids]
    else:
        totals = list(own_counts)
        counts = [len(infos) for infos in own]
        trained = [sum(1 for i in infos if i.tensor.requires_grad) for infos in own]
        for i in range(n - 1, 0, -1):
            parent = rows[i].parent
            totals[parent] += totals[i]
            counts[parent] += counts[i]
            trained[parent] += trained[i]
    for i in range(n - 1, 0, -1):
        parent = rows[i].parent
        devices[parent] |= devices[i]
        dtypes[parent] |= dtypes[i]
    last_output = facts.last_output
    out = []
    for i, row in enumerate(rows):
        m = row.module
        last = last_output.get(id(m))
        cls = class_name(m)
        paths = view.paths[id(m)]
        out.append(
            {
                "path": row.path,
                "class": cls,
                "depth": row.depth,
                "own_params": own_counts[i],
                "total_params": totals[i],
                "trainable": "none"
                if trained[i] == 0
                else "all"
                if trained[i] == counts[i]
                else "partial",
                "training": bool(getattr(m, "training", False)),
                "devices": sorted(devices[i]),
                "dtypes": sorted(dtypes[i]),
                "output_shape": plain_shape(last[1]) if last is not None and last[0] is type(m) else None,
                "shared_with": [p for p in paths if p != row.path] if len(paths) > 1 else [],
            }
        )
    return out
