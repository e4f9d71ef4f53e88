"""Silent bugs in one model: each finding names what is wrong and the fix in one sentence.

Kinds (``report.FINDING_KINDS``):

- ``unregistered_module`` / ``unregistered_parameter``: modules or Parameters in a plain list,
  dict, tuple or set attribute; PyTorch never sees them.
- ``unregistered_tensor``: a plain tensor attribute; it is not saved and does not follow
  ``.to()``. Tensors PyTorch itself keeps this way (pruning's or weight norm's recomputed
  ``weight``) are not findings.
- ``direct_forward``: ``module.forward(x)`` called instead of ``module(x)``; hooks skipped.
- ``module_created_in_forward``: a submodule registered while forward ran: new random weights
  on every call.
- ``optimizer_missing_params``: an optimizer holds some but not all trainable parameters.
- ``dtype_mismatch`` / ``device_mismatch``: floating-point tensors of one model disagree
  (integer buffers such as ``num_batches_tracked`` are left out).
- ``whole_model_saved``: ``torch.save`` got the Module rather than its ``state_dict()``.
- ``shared_parameter`` (info): one tensor under several names, counted once.
- ``lazy_uninitialized`` (info): lazy parameters that count as 0 until the first forward.
- ``state_dict_prefix``: a ``load_state_dict`` failed (or, with ``strict=False``, loaded
  nothing) because every key has a wrapper's prefix (``module.``, ``_orig_mod.``) that the
  model's keys do not, or the other way round (a wrapped model, a plain state_dict).
"""

from __future__ import annotations

import torch
from torch import nn

from modbox.probe import tree
from modbox.probe.describe import View
from modbox.probe.session import Facts
from modbox.probe.values import class_name, dtype_name, numel

_MODULE_INTERNALS = frozenset(vars(nn.Module())) | {"_initializing"}
_CONTAINERS = (list, tuple, set, frozenset, dict)


def find(view: View, facts: Facts, namespace: dict) -> list[dict]:
    ctx = _Context(view, facts)
    found: list[dict] = []
    stray_tensors = _unregistered(ctx, found)
    _direct_forward(ctx, found)
    _created_in_forward(ctx, found)
    _optimizers(ctx, namespace, found)
    _mismatch(ctx, stray_tensors, found)
    _saved(ctx, found)
    _shared(ctx, found)
    _lazy(ctx, found)
    _prefixed(ctx, found)
    return found


class _Context:
    def __init__(self, view: View, facts: Facts):
        self.view = view
        self.facts = facts
        self.by_path = {}
        for row in view.rows:
            self.by_path.setdefault(row.path, row.module)

    def where(self, path: str) -> str:
        """How the learner reaches a module or attribute in Python: ``model.fc1``,
        ``model.layers[0]``, ``model.heads["a"]``."""
        out = self.view.name
        owner = self.view.model
        for part in path.split(".") if path else ():
            if isinstance(owner, (nn.Sequential, nn.ModuleList)) and part.isdigit():
                out += f"[{part}]"
            elif isinstance(owner, nn.ModuleDict):
                out += f'["{part}"]'
            else:
                out += f".{part}"
            owner = owner._modules.get(part) if isinstance(owner, nn.Module) else None
        return out

    def line(self, name: str) -> int | None:
        """The learner's line that set ``name`` (a dotted path), or the nearest enclosing one."""
        lines = self.facts.attr_lines
        while name:
            owner_path, _, leaf = name.rpartition(".")
            owner = self.by_path.get(owner_path)
            if owner is not None and (id(owner), leaf) in lines:
                return lines[(id(owner), leaf)]
            name = owner_path
        return None

    def module_line(self, module: nn.Module) -> int | None:
        paths = self.view.paths.get(id(module))
        return self.line(paths[0]) if paths else None


def _finding(kind: str, path: str, message: str, line: int | None, severity="warning") -> dict:
    return {"kind": kind, "severity": severity, "path": path, "message": message, "line": line}


def _managed_by_torch(module: nn.Module, attr: str) -> bool:
    """Pruning, weight_norm and spectral_norm recompute ``attr`` in a forward pre-hook."""
    for hook in getattr(module, "_forward_pre_hooks", {}).values():
        if type(hook).__module__.startswith("torch.") and attr in (
            getattr(hook, "name", None),
            getattr(hook, "_tensor_name", None),
        ):
            return True
    return False


def _unregistered(ctx: _Context, found: list) -> list[tuple[str, torch.Tensor]]:
    """Plain attributes holding modules, Parameters or tensors; returns the stray tensors."""
    view = ctx.view
    registered = set(view.paths) | set(view.params) | set(view.buffers)
    stray: list[tuple[str, torch.Tensor]] = []
    seen: set[int] = set()
    for row in view.rows:
        m = row.module
        if id(m) in seen or isinstance(m, torch.jit.ScriptModule):
            continue
        seen.add(id(m))
        from_torch = type(m).__module__.startswith("torch.")
        attributes = vars(m)
        for attr in [a for a in attributes if a not in _MODULE_INTERNALS]:
            if from_torch and attr.startswith("_"):
                continue
            value = attributes[attr]
            if not isinstance(value, (torch.Tensor, *_CONTAINERS)):
                continue
            name = f"{row.path}.{attr}" if row.path else attr
            line = ctx.facts.attr_lines.get((id(m), attr))
            if isinstance(value, torch.Tensor):
                if id(value) in registered or _managed_by_torch(m, attr):
                    continue
                if isinstance(value, nn.Parameter):
                    found.append(_stray_parameters(ctx, row.path, attr, "attribute", 1, line))
                    continue
                stray.append((name, value))
                found.append(
                    _finding(
                        "unregistered_tensor",
                        row.path,
                        f"`{ctx.where(name)}` is a plain tensor, so it is not in state_dict() "
                        "and does not follow .to() or .half(): use "
                        f'self.register_buffer("{attr}", ...) (or nn.Parameter to train it).',
                        line,
                    )
                )
            elif isinstance(value, _CONTAINERS) and not isinstance(value, nn.Module):
                modules, params = _stray_items(value, registered)
                kind = type(value).__name__
                if modules:
                    found.append(_stray_modules(ctx, row.path, attr, kind, modules, line))
                if params:
                    found.append(_stray_parameters(ctx, row.path, attr, kind, len(params), line))
    return stray


def _stray_items(container, registered: set[int]) -> tuple[list, list]:
    modules, params = [], []
    todo = [container]
    depth = 0
    while todo and depth < 3:
        nxt = []
        for c in todo:
            for item in c.values() if isinstance(c, dict) else c:
                if isinstance(item, nn.Module):
                    if id(item) not in registered:
                        modules.append(item)
                elif isinstance(item, nn.Parameter):
                    if id(item) not in registered:
                        params.append(item)
                elif isinstance(item, _CONTAINERS):
                    nxt.append(item)
        todo = nxt
        depth += 1
    return modules, params


def _stray_modules(ctx, path, attr, kind, modules, line) -> dict:
    seen, count = set(), 0
    for m in modules:
        for _, sub in tree.unique_modules(m):
            for p in sub._parameters.values():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    count += numel(p)
    classes = sorted({class_name(m) for m in modules})
    fix = "nn.ModuleDict" if kind == "dict" else "nn.ModuleList"
    what = f"{len(modules)} module{'s' if len(modules) > 1 else ''} ({', '.join(classes)})"
    name = f"{path}.{attr}" if path else attr
    return _finding(
        "unregistered_module",
        path,
        f"`{ctx.where(name)}` is a plain {kind} holding {what}, so PyTorch does not register "
        f"{'them: their' if len(modules) > 1 else 'it: its'} {count:,} parameters are missing "
        f"from parameters(), state_dict() and .to(); use {fix}(...) instead.",
        line,
    )


def _stray_parameters(ctx, path, attr, kind, count, line) -> dict:
    fix = "nn.ParameterDict" if kind == "dict" else "nn.ParameterList"
    name = f"{path}.{attr}" if path else attr
    holder = "is an nn.Parameter that was not registered" if kind == "attribute" else (
        f"is a plain {kind} holding {count} nn.Parameter{'s' if count > 1 else ''}"
    )
    return _finding(
        "unregistered_parameter",
        path,
        f"`{ctx.where(name)}` {holder}, so parameters(), the optimizer and state_dict() never "
        f"see {'it' if count == 1 else 'them'}: use {fix}(...) instead.",
        line,
    )


def _at_modules(ctx: _Context, found: list, facts: dict, kind: str, message) -> None:
    """A ``kind`` finding for each module of this model in ``facts`` (module key -> line), with
    ``message(who)`` naming the module as the learner wrote it."""
    for key, line in facts.items():
        paths = ctx.view.paths.get(key)
        if paths is not None:
            found.append(_finding(kind, paths[0], message(ctx.where(paths[0])), line))


def _direct_forward(ctx: _Context, found: list) -> None:
    _at_modules(ctx, found, ctx.facts.direct_forward, "direct_forward",
                lambda who: f"{who}.forward(...) was called directly, so its hooks did not run: "
                            f"call {who}(...) instead.")


def _created_in_forward(ctx: _Context, found: list) -> None:
    """Modules with parameters or buffers built while a forward pass ran: registered ones by
    their path; the others (a local variable, a plain list) on the module whose forward built
    them, at the line that built them. A layer without state (``nn.ReLU()(x)``) learns nothing,
    so building it there loses nothing."""
    created = ctx.facts.created_in_forward
    registered_lines = {line for line, _ in created.values()}
    for (parent, name), (line, cls) in created.items():
        paths = ctx.view.paths.get(parent)
        if paths is None:
            continue
        path = f"{paths[0]}.{name}" if paths[0] else name
        found.append(_built_finding(path, f"`{ctx.where(path)}` ({cls}) is created", line))
    for owner, built in ctx.facts.built_in_forward.items():
        paths = ctx.view.paths.get(owner)
        if paths is None:
            continue
        for line, module in built:
            if line in registered_lines or not _has_state(module):
                continue
            found.append(_built_finding(
                paths[0], f"`{ctx.where(paths[0])}` builds a new {class_name(module)} (line {line})",
                line))
            break


def _built_finding(path: str, what: str, line: int | None) -> dict:
    return _finding("module_created_in_forward", path,
                    f"{what} inside forward(), so it gets new random weights on every call and "
                    "never learns: create it once in __init__.", line)


def _has_state(module: nn.Module) -> bool:
    return any(sub._parameters or sub._buffers for _, sub in tree.unique_modules(module))


def _optimizers(ctx: _Context, namespace: dict, found: list) -> None:
    view = ctx.view
    trainable = [(i.names[0], i.tensor) for i in view.params.values() if i.tensor.requires_grad]
    for var, value in list(namespace.items()):
        if not isinstance(value, torch.optim.Optimizer):
            continue
        held = {id(p) for group in value.param_groups for p in group["params"]}
        if not held & set(view.params):
            continue
        missing = [name for name, p in trainable if id(p) not in held]
        if not missing:
            continue
        owners = sorted({name.rpartition(".")[0] for name in missing})
        listed = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        path = _common_path(owners)
        found.append(
            _finding(
                "optimizer_missing_params",
                path,
                f"The optimizer `{var}` does not hold {listed}, so {var}.step() never updates "
                f"them: build the optimizer after the model is complete (or call "
                f"{var}.add_param_group({{'params': ...}})).",
                ctx.facts.optimizer_lines.get(id(value)),
            )
        )


def _common_path(paths: list[str]) -> str:
    parts = [p.split(".") if p else [] for p in paths]
    common = []
    for group in zip(*parts):
        if len(set(group)) != 1:
            break
        common.append(group[0])
    return ".".join(common)


def _mismatch(ctx: _Context, stray: list, found: list) -> None:
    floats = [(i.names[0], i.dtype, i.device) for i in ctx.view.params.values() if i.floating]
    floats += [(i.names[0], i.dtype, i.device) for i in ctx.view.buffers.values() if i.floating]
    floats += [
        (n, dtype_name(t.dtype), str(t.device))
        for n, t in stray
        if t.dtype.is_floating_point or t.dtype.is_complex
    ]
    for kind, key in (("dtype_mismatch", 1), ("device_mismatch", 2)):
        groups: dict[str, list[str]] = {}
        for item in floats:
            groups.setdefault(item[key], []).append(item[0])
        if len(groups) < 2:
            continue
        major = max(groups, key=lambda k: len(groups[k]))
        for value, names in groups.items():
            if value == major:
                continue
            path = _common_path([n.rpartition(".")[0] for n in names])
            if kind == "dtype_mismatch":
                message = _dtype_message(ctx, value, names, groups)
            else:
                message = (f"{_listed(names)} {'is' if len(names) == 1 else 'are'} {value} while the "
                           f"rest of `{ctx.view.name}` is {major}: call "
                           f'{ctx.view.name}.to("{major}") after the last layer is added.')
            found.append(_finding(kind, path, message, ctx.line(names[0])))



def _dtype_message(ctx: _Context, dtype: str, names: list[str], groups: dict) -> str:
    """Which tensors differ and the dtype of each group; the learner picks the dtype they want."""
    others = "; ".join(f"{_listed(group, 2)} {'is' if len(group) == 1 else 'are'} {other}"
                       for other, group in groups.items() if other != dtype)
    model = ctx.view.name
    choices = " or ".join(f"{model}.to(torch.{d})" for d in groups)
    return (f"{_listed(names)} {'is' if len(names) == 1 else 'are'} {dtype}, but {others}: a layer "
            f"fails when its input and weights differ in dtype, so once the last layer is added "
            f"convert the whole model to the dtype you want ({choices}).")


def _saved(ctx: _Context, found: list) -> None:
    _at_modules(ctx, found, ctx.facts.saved, "whole_model_saved",
                lambda who: f"torch.save was given the whole module `{who}`, which pickles its "
                            f"class and fails to load with torch.load's default "
                            f"weights_only=True: save {who}.state_dict() instead.")


def _shared(ctx: _Context, found: list) -> None:
    view = ctx.view
    reported: set[int] = set()
    for row in view.rows:
        m = row.module
        paths = view.paths[id(m)]
        if len(paths) < 2 or id(m) in reported:
            continue
        reported.add(id(m))
        parent = view.rows[row.parent].module if row.parent >= 0 else None
        if parent is not None and len(view.paths[id(parent)]) > 1:
            continue  # inside a shared module: the outer one is reported
        count = sum(numel(p) for _, p in _params_under(m))
        if not count:
            continue
        listed = _listed(paths)
        found.append(
            _finding(
                "shared_parameter",
                paths[0],
                f"The same {class_name(m)} is used at {listed}: its {count:,} parameters are "
                "counted once and trained together.",
                ctx.module_line(m),
                "info",
            )
        )
    for info in view.params.values():
        names = info.names
        if len(names) < 2:
            continue
        owners = {id(ctx.by_path.get(n.rpartition(".")[0])) for n in names}
        if len(owners) < 2:
            continue
        listed = _listed(names)
        found.append(
            _finding(
                "shared_parameter",
                names[0].rpartition(".")[0],
                f"{listed} are the same tensor (tied), so its {info.numel:,} parameters are "
                "counted once and trained together.",
                ctx.line(names[-1]),
                "info",
            )
        )


def _listed(paths: list[str], shown: int = 3) -> str:
    """```a`, `b` and `c``; past ``shown`` paths, ```a`, `b`, `c` and 4 more``: never a silent cut."""
    quoted = [f"`{p}`" for p in paths[:shown]]
    rest = len(paths) - len(quoted)
    if rest:
        return f"{', '.join(quoted)} and {rest} more"
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _params_under(module: nn.Module):
    seen = set()
    for _, sub in tree.unique_modules(module):
        for name, p in list(sub._parameters.items()):
            if p is not None and id(p) not in seen:
                seen.add(id(p))
                yield name, p


def _lazy(ctx: _Context, found: list) -> None:
    done = set()
    for info in ctx.view.params.values():
        if not info.lazy:
            continue
        path = info.names[0].rpartition(".")[0]
        if path in done:
            continue
        done.add(path)
        m = ctx.by_path.get(path)
        cls = class_name(m) if m is not None else "module"
        found.append(
            _finding(
                "lazy_uninitialized",
                path,
                f"`{ctx.where(path)}` ({cls}) has not created its parameters yet: they count as "
                "0 until the first forward pass with real input.",
                ctx.line(path) if path else None,
                "info",
            )
        )


_WRAPPERS = {"module.": "DataParallel or DistributedDataParallel", "_orig_mod.": "torch.compile"}


def _prefixed(ctx: _Context, found: list) -> None:
    for key, (line, prefix, which) in ctx.facts.prefixed_loads.items():
        paths = ctx.view.paths.get(key)
        if paths is None:
            continue
        who = ctx.where(paths[0])
        if which == "state_dict":
            message = (
                f"{who}.load_state_dict(...) did not load the weights: every key of the state_dict "
                f"starts with `{prefix}`, which {_WRAPPERS[prefix]} adds. Strip it first: "
                f"torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, \"{prefix}\") "
                f"or {{k.removeprefix(\"{prefix}\"): v for k, v in sd.items()}}."
            )
        else:
            inner = "module" if prefix == "module." else "_orig_mod"
            message = (
                f"{who}.load_state_dict(...) did not load the weights: `{who}` is wrapped by "
                f"{_WRAPPERS[prefix]}, so every key it expects starts with `{prefix}` and the "
                f"state_dict's do not. Load into the module it wraps: "
                f"{who}.{inner}.load_state_dict(sd)."
            )
        found.append(_finding("state_dict_prefix", paths[0], message, line))
