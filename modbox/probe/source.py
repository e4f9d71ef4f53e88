"""What the learner's source shows that the running program cannot: ``x.forward(...)`` calls.

At run time a direct ``forward`` call is only visible through the submodules it calls (see
``calls``); a leaf such as ``nn.Linear`` has none. So the source is searched for calls of
``.forward`` on a chain of names (``model.fc1.forward(x)``, ``net[0].forward(x)``), and each
chain is looked up in the namespace the program left behind. Inside a method of a class of the
learner's, a chain that starts at the method's first argument (``self.fc.forward(x)``) is looked
up on every instance of that class in the program's models.
"""

from __future__ import annotations

import ast
import linecache

from torch import nn

from modbox.probe import tree


def direct_forward_calls(filename: str, namespace: dict) -> list[tuple[nn.Module, int]]:
    """(module, line) for each ``<chain>.forward(...)`` whose chain names a module now."""
    lines = linecache.getlines(filename)
    if not lines:
        return []
    try:
        tree_ = ast.parse("".join(lines), filename)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node, owners in _forward_calls(tree_, namespace):
        for owner in owners:
            module = _resolve(node.func.value, namespace, owner)
            if isinstance(module, nn.Module):
                found.append((module, node.lineno))
    return found


def _forward_calls(root: ast.AST, namespace: dict):
    """``(call, instances)`` for each ``<chain>.forward(...)``; ``instances`` are what the
    method's ``self`` may be (``[None]`` outside a class's method)."""
    todo: list[tuple[ast.AST, str | None, str | None]] = [(root, None, None)]  # node, class, self
    instances: dict[str, list] = {}
    while todo:
        node, cls, me = todo.pop()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "forward":
            if me is not None and _root_name(node.func.value) == me:
                if cls not in instances:
                    instances[cls] = _instances(cls, namespace)
                yield node, instances[cls]
            else:
                yield node, [None]
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.ClassDef):
                todo.append((child, node.name, None))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and cls is not None and me is None:
                args = node.args.posonlyargs + node.args.args
                todo.append((child, cls, args[0].arg if args else None))
            else:
                todo.append((child, cls, me))


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _instances(cls: str, namespace: dict) -> list[nn.Module]:
    """The modules of the program's models whose class is the learner's class ``cls``."""
    out, seen = [], set()
    for _, model in tree.models_in(namespace):
        for _, module in tree.unique_modules(model):
            kind = type(module)
            if kind.__name__ == cls and kind.__module__ == "__main__" and id(module) not in seen:
                seen.add(id(module))
                out.append(module)
    return out


def _resolve(node: ast.AST, namespace: dict, me=None):
    """The object a chain of names, attributes and constant subscripts names; None if not one.
    ``me``: the module the chain's first name stands for (a method's ``self``), if any.

    Only module attributes and containers are followed: nothing the learner wrote is run.
    """
    if isinstance(node, ast.Name):
        return me if me is not None else namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace, me)
        if isinstance(owner, nn.Module):
            return owner._modules.get(node.attr) or owner.__dict__.get(node.attr)
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = _resolve(node.value, namespace, me)
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
