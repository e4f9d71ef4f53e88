"""What the learner's source shows that the running program cannot: ``x.forward(...)`` calls.

At run time a direct ``forward`` call is only visible through the submodules it calls (see
``calls``); a leaf such as ``nn.Linear`` has none. So the source is searched for calls of
``.forward`` on a chain of names (``model.fc1.forward(x)``, ``net[0].forward(x)``), and each
chain is looked up in the namespace the program left behind.
"""

from __future__ import annotations

import ast
import linecache

from torch import nn


def direct_forward_calls(filename: str, namespace: dict) -> list[tuple[nn.Module, int]]:
    """(module, line) for each ``<chain>.forward(...)`` whose chain names a module now."""
    lines = linecache.getlines(filename)
    if not lines:
        return []
    try:
        tree = ast.parse("".join(lines), filename)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "forward"
        ):
            module = _resolve(node.func.value, namespace)
            if isinstance(module, nn.Module):
                found.append((module, node.lineno))
    return found


def _resolve(node: ast.AST, namespace: dict):
    """The object a chain of names, attributes and constant subscripts names; None if not one.

    Only module attributes and containers are followed: nothing the learner wrote is run.
    """
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        if isinstance(owner, nn.Module):
            return owner._modules.get(node.attr) or owner.__dict__.get(node.attr)
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = _resolve(node.value, namespace)
        key = node.slice.value
        if isinstance(owner, (nn.Sequential, nn.ModuleList)) and isinstance(key, int):
            try:
                return owner[key]
            except IndexError:
                return None
        if isinstance(owner, nn.ModuleDict) and isinstance(key, str):
            return owner._modules.get(key)
        if isinstance(owner, (list, tuple)) and isinstance(key, int) and -len(owner) <= key < len(owner):
            return owner[key]
        if isinstance(owner, dict):
            return owner.get(key)
    return None
