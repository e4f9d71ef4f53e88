"""Walking module trees without recursion, and choosing which modules of a namespace are models.

PyTorch's own walkers recurse (``named_modules()`` fails near 995 levels, ``repr()`` near 331),
so everything here uses an explicit stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

MAX_ROWS = 50_000  # paths listed per model; a module shared at every level could list 2**depth


@dataclass(slots=True)
class Row:
    """One entry of ``named_modules(remove_duplicate=False)``."""

    path: str
    module: nn.Module
    depth: int
    parent: int  # index of the parent row, -1 for the root


def rows(root: nn.Module, limit: int = MAX_ROWS) -> tuple[list[Row], int]:
    """Every path of every module in ``named_modules(remove_duplicate=False)`` order.

    A module that contains itself (a cycle) is not entered again. Returns the rows and how
    many were left out beyond ``limit``.
    """
    out: list[Row] = []
    on_path: set[int] = set()
    stack: list = [(root, "", 0, -1, False)]
    omitted = 0
    while stack:
        module, path, depth, parent, leaving = stack.pop()
        if leaving:
            on_path.discard(id(module))
            continue
        if len(out) >= limit:
            omitted += 1
            continue
        index = len(out)
        out.append(Row(path, module, depth, parent))
        on_path.add(id(module))
        stack.append((module, path, depth, parent, True))
        children = [
            (name, child)
            for name, child in _children(module)
            if child is not None and id(child) not in on_path
        ]
        for name, child in reversed(children):
            stack.append((child, f"{path}.{name}" if path else name, depth + 1, index, False))
    return out, omitted


def unique_modules(root: nn.Module) -> list[tuple[str, nn.Module]]:
    """``named_modules()``: each module object once, at its first path."""
    out = []
    seen: set[int] = set()
    stack = [("", root)]
    while stack:
        path, module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        out.append((path, module))
        children = [(n, c) for n, c in _children(module) if c is not None]
        for name, child in reversed(children):
            stack.append((f"{path}.{name}" if path else name, child))
    return out


def named_parameters(root: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """``named_parameters()`` without recursion: each tensor once, at its first dotted name."""
    out = []
    seen: set[int] = set()
    for path, module in unique_modules(root):
        for name, p in list(module._parameters.items()):
            if p is not None and id(p) not in seen:
                seen.add(id(p))
                out.append((f"{path}.{name}" if path else name, p))
    return out


def _children(module: nn.Module):
    modules = getattr(module, "_modules", None)
    if not modules:
        return ()
    try:
        return modules.items()
    except Exception:
        return ()


def is_wrapper(module: nn.Module) -> bool:
    """A ``torch.compile`` wrapper: it holds the learner's model as ``_orig_mod``."""
    return type(module).__name__ == "OptimizedModule" and "_orig_mod" in module._modules


def models_in(namespace: dict) -> list[tuple[str, nn.Module]]:
    """Modules bound to top-level names that are not inside another one, ``model`` first.

    An object bound to several names is reported once, under ``model`` if that is one of them.
    A ``torch.compile`` wrapper does not hide the model it wraps.
    """
    candidates: dict[int, tuple[str, nn.Module]] = {}
    for name, value in list(namespace.items()):
        if name.startswith("__") or not isinstance(value, nn.Module):
            continue
        if id(value) not in candidates or name == "model":
            candidates[id(value)] = (name, value)
    if len(candidates) < 2:
        return list(candidates.values())
    inside: set[int] = set()
    for _, value in candidates.values():
        if is_wrapper(value):
            continue
        for _, sub in unique_modules(value)[1:]:
            if id(sub) in candidates:
                inside.add(id(sub))
    chosen = [nv for key, nv in candidates.items() if key not in inside]
    if not chosen:  # modules that all contain each other: keep the first
        chosen = [next(iter(candidates.values()))]
    chosen.sort(key=lambda nv: nv[0] != "model")
    return chosen
