"""What checks compute with, and what the learner's program changed in it.

Checks must not be answerable by the program they judge. So:

- ``BUILTINS`` and the ``nn.Module`` methods below are captured when this module is imported:
  in the zygote, before any learner code runs. Check expressions and the differential harness
  resolve builtins and ``torch``/``nn``/``F``/``math`` through them, never through the
  learner's globals (a learner's ``all = lambda x: True`` does not change a check).
- ``Watch`` snapshots ``torch``, ``torch.nn``, ``torch.nn.functional``, ``builtins``, ``math``,
  ``torch.Tensor``, ``nn.Module``, every module class in ``torch.nn``, every optimizer, and
  modbox's own modules in the run child (with the standard ones they compute with) when a run
  starts, and after it says what the program replaced, as ``tampering`` findings
  ("line 31 replaced `torch.equal`"), then puts the originals back so that the inspector and
  the checks see torch as it is.
- ``overrides`` finds the learner's classes that redefine how a module describes itself
  (``named_parameters``, ``state_dict``, ``__getattr__``, ...): what a check reads would be
  what the class chooses to report.
"""

from __future__ import annotations

import ast
import builtins
import math
import os
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import optimizer as _optimizer

from modbox.report import OVERRIDABLE as INTROSPECTION

BUILTINS = dict(builtins.__dict__)
# The names a check expression always resolves to modbox's own objects.
SEALED = {"__builtins__": BUILTINS, "torch": torch, "nn": nn, "F": F, "math": math}

# nn.Module's own methods and the torch functions the harness calls, as they were before any
# learner code ran: a learner's class cannot answer for itself.
named_modules = nn.Module.named_modules
named_parameters = nn.Module.named_parameters
state_dict = nn.Module.state_dict
load_state_dict = nn.Module.load_state_dict
train = nn.Module.train
to = nn.Module.to
call = nn.Module.__call__
register_forward_hook = nn.Module.register_forward_hook
register_optimizer_step_post_hook = _optimizer.register_optimizer_step_post_hook
equal = torch.equal
load = torch.load
manual_seed = torch.manual_seed
no_grad = torch.no_grad



def _watched() -> tuple[list[tuple[str, object]], list[tuple[str, type]]]:
    modules = [("builtins", builtins), ("torch", torch), ("torch.nn", nn),
               ("torch.nn.functional", F), ("torch.nn.init", nn.init), ("torch.optim", torch.optim),
               ("torch.serialization", torch.serialization), ("torch.export", torch.export),
               ("math", math)]
    classes = [("torch.Tensor", torch.Tensor), ("torch.Tensor", torch._C.TensorBase),
               ("nn.Parameter", nn.Parameter), ("torch.optim.Optimizer", torch.optim.Optimizer)]
    classes += [(f"nn.{name}", c) for name, c in vars(nn).items()
                if isinstance(c, type) and issubclass(c, nn.Module)]
    classes += [(f"torch.optim.{name}", c) for name, c in vars(torch.optim).items()
                if isinstance(c, type) and issubclass(c, torch.optim.Optimizer)
                and c is not torch.optim.Optimizer]
    return modules, classes


_MODULES, _CLASSES = _watched()
# torch's random state when the learner's program started: the lesson's solution starts from
# it too, so that two programs doing the same thing draw the same numbers
start_rng = None


def _namespaces() -> list[tuple[str, dict, bool]]:
    """The dicts to watch: the modules above, and modbox's own code in the run child with the
    standard modules it computes with (a program could import them and replace what checks
    call), and the sealed names themselves."""
    spaces = [(name, vars(m), False) for name, m in _MODULES]
    standard = ("json", "copy", "ast", "contextlib", "functools", "collections", "os",
                "tempfile", "signal", "io")
    # only their functions and classes: they keep caches in plain globals (tempfile.tempdir)
    spaces += [(name, vars(m), True) for name, m in list(sys.modules.items())
               if m is not None and (name.startswith(("modbox.probe", "modbox.report"))
                                     or name in standard)]
    spaces += [("builtins", BUILTINS, False), ("modbox", SEALED, False)]
    return spaces


_MISSING = object()


class Watch:
    """A snapshot of what checks rely on, taken before the learner's code runs."""

    def __init__(self):
        # global modes a program may leave changed: put back (not tampering) so that checks
        # and the reference run as any program starts
        self._grad = torch.is_grad_enabled()
        self._dtype = torch.get_default_dtype()
        global start_rng
        start_rng = torch.get_rng_state()
        self._modules = [
            (name, space, {k: v for k, v in space.items() if callable(v)} if code_only else dict(space))
            for name, space, code_only in _namespaces()]
        self._classes = [(name, c, dict(vars(c)), _codes(c)) for name, c in _CLASSES]

    def changes(self, source: str, filename: str) -> list[str]:
        """What the program (``source``, run as ``filename``) replaced, added to a class or
        deleted, as ``torch.equal``; those are put back. Whether a change is the program's
        doing is judged by ``Judge``."""
        judge = Judge(source, filename)
        changed: list[str] = []
        for name, now, before in self._modules:
            for key, value in before.items():
                if judge.tampered(key, now.get(key, _MISSING), value):
                    changed.append(f"{name}.{key}")
                    now[key] = value
        for name, cls, before, codes in self._classes:
            now = dict(vars(cls))
            for key in now.keys() - before.keys() - _CACHES:
                if judge.tampered(key, now[key], _MISSING):
                    changed.append(f"{name}.{key}")
                    _restore(cls, key, _MISSING)
            for key, value in before.items():
                if judge.tampered(key, now.get(key, _MISSING), value):
                    changed.append(f"{name}.{key}")
                    _restore(cls, key, value)
            for key, code in codes.items():
                function = before[key]
                if function.__code__ is not code:
                    changed.append(f"{name}.{key}")
                    function.__code__ = code
        torch.set_grad_enabled(self._grad)
        torch.set_default_dtype(self._dtype)
        return list(dict.fromkeys(changed))


_TORCH_DIR = os.path.dirname(torch.__file__)
# What Python itself stores on a class the first time it is needed (pickling caches the
# class's slot names): not the program's doing.
_CACHES = frozenset({"__slotnames__"})


class Judge:
    """Whose doing a change is. torch changes some of what is watched itself, the first time
    it is needed: an optimizer's first step wraps its class's ``step``, importing dynamo wraps
    ``torch.manual_seed``, ``torch.compile`` patches ``nn.Module``. So a change is the
    program's when it deleted something, when the new value is code from the program's file,
    when the program assigns that very name (``torch.equal = ...``, ``setattr(x, "equal",
    ...)``, ``vars(x)["equal"] = ...``) and the new value is not torch's own wrapper of the
    old one, or when the program sets names it computes (``setattr(x, name, ...)``) and the
    new value is not torch's own code."""

    def __init__(self, source: str, filename: str):
        self.filename = filename
        self.named, self.dynamic = _assigned_names(source)

    def tampered(self, key: str, now, before) -> bool:
        if now is before:
            return False
        if now is _MISSING:
            return True
        if self._from_program(now):
            return True
        if key in self.named:
            return before is _MISSING or not _wraps(now, before)
        return self.dynamic and callable(now) and not _from_torch(now)

    def _from_program(self, value) -> bool:
        function = getattr(value, "__func__", value)
        code = getattr(function, "__code__", None)
        if code is not None:
            return code.co_filename == self.filename
        return isinstance(value, type) and value.__module__ == "__main__"


def _from_torch(value) -> bool:
    code = getattr(getattr(value, "__func__", value), "__code__", None)
    return code is not None and code.co_filename.startswith(_TORCH_DIR)


def _wraps(now, before) -> bool:
    """``now`` is torch's wrapper around ``before`` (functools.wraps sets ``__wrapped__``)."""
    if not _from_torch(now):
        return False
    inner = now
    for _ in range(8):
        inner = getattr(inner, "__wrapped__", None)
        if inner is None:
            return False
        if inner is before:
            return True
    return False


def _codes(cls: type) -> dict:
    return {k: v.__code__ for k, v in vars(cls).items() if isinstance(v, types.FunctionType)}


def _restore(cls: type, key: str, value) -> None:
    try:
        if value is _MISSING:
            delattr(cls, key)
        else:
            setattr(cls, key, value)
    except (AttributeError, TypeError):
        pass


def tampering(changes: list[str], source: str, filename: str) -> list[dict]:
    """One ``tampering`` finding per change, at the learner's line that made it when it can be
    found in ``source``."""
    lines = _assignment_lines(source)
    found = []
    for what in changes:
        attr = what.rpartition(".")[2]
        line = lines.get(attr)
        where = f"Line {line} replaced" if line else "The program replaced"
        found.append(_finding(
            what, line,
            f"{where} `{what}`, which modbox's checks rely on: leave torch and Python's "
            f"builtins as they are."))
    return found


def _finding(name: str, line: int | None, message: str, path: str = "") -> dict:
    return {"kind": "tampering", "severity": "warning", "path": path, "message": message,
            "line": line, "name": name}


def _assigned_names(source: str) -> tuple[set[str], bool]:
    """The attribute and key names the program assigns, deletes or setattr()s by name, and
    whether it also sets names it computes (``setattr(x, name, v)``, ``vars(x)[k] = v``)."""
    named = set(_assignment_lines(source, definitions=False))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return named, False
    dynamic = False
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("setattr", "delattr") and len(node.args) >= 2
                and not isinstance(node.args[1], ast.Constant)):
            dynamic = True
        targets = (node.targets if isinstance(node, (ast.Assign, ast.Delete))
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:  # vars(x)[name] = ..., x.__dict__[name] = ...
            if (isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Constant)
                    and _namespace_of(target.value)):
                dynamic = True
    return named, dynamic


def _namespace_of(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "__dict__") or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars")


def _assignment_lines(source: str, definitions: bool = True) -> dict[str, int]:
    """attribute or key name -> the first line that assigns, deletes or setattr()s it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}

    def note(target) -> None:
        if isinstance(target, ast.Attribute):
            lines.setdefault(target.attr, target.lineno)
        elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            if isinstance(target.slice.value, str):
                lines.setdefault(target.slice.value, target.lineno)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                note(item)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                note(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            note(node.target)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                note(target)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("setattr", "delattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            lines.setdefault(node.args[1].value, node.lineno)
    for node in ast.walk(tree) if definitions else ():  # e.g. `def equal(...)` put in place
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.setdefault(node.name, node.lineno)
    return lines


def overrides(modules, filename: str) -> list[dict]:
    """A ``tampering`` finding for each of the learner's module classes (and module objects)
    that redefine what a module reports about itself. ``modules``: (path, module) pairs."""
    found: list[dict] = []
    seen: set = set()
    for path, module in modules:
        cls = type(module)
        for klass in cls.__mro__:
            if klass.__module__.startswith("torch") or klass is object:
                continue
            for name in INTROSPECTION:
                if name in vars(klass) and (klass, name) not in seen:
                    seen.add((klass, name))
                    line = _line_of(vars(klass)[name], filename)
                    where = f"Line {line}: " if line else ""
                    found.append(_finding(
                        name, line,
                        f"{where}class `{klass.__name__}` defines its own `{name}`, so the "
                        f"model reports what that method says instead of what it holds: "
                        f"remove it (nn.Module's own `{name}` is the one checks trust).", path))
        own = getattr(module, "__dict__", {})
        for name in INTROSPECTION:
            if name in own and not _torch_own(own[name], name) and (id(module), name) not in seen:
                seen.add((id(module), name))
                found.append(_finding(
                    name, None,
                    f"`{path or 'the model'}` has its own `{name}` set on the object, so it reports "
                    f"what that says instead of what it holds: remove that assignment.", path))
    return found


def _torch_own(value, name: str) -> bool:
    """Whether torch put ``value`` on the object itself: the module an exported program's
    ``module()`` returns gets a ``train`` of torch's own that refuses to run. A torch function
    answers nothing false unless it is another of the methods checks read
    (``MethodType(nn.Module.named_buffers, model)`` as ``named_parameters``)."""
    function = getattr(value, "__func__", value)
    owner = getattr(function, "__module__", None) or ""
    own_name = getattr(function, "__name__", "")
    return (owner == "torch" or owner.startswith("torch.")) and (
        own_name == name or own_name not in INTROSPECTION)


def _line_of(value, filename: str) -> int | None:
    function = getattr(value, "fget", value)
    code = getattr(function, "__code__", None)
    if code is not None and code.co_filename == filename:
        return code.co_firstlineno
    return None


def sealed_globals(expr_tree: ast.AST, namespace: dict) -> dict:
    """Globals for evaluating a check expression: modbox's builtins and torch, plus the
    program's own variables for every other name the expression reads."""
    g = dict(SEALED)
    for node in ast.walk(expr_tree):
        if isinstance(node, ast.Name) and node.id not in g and node.id not in BUILTINS:
            if node.id in namespace:
                g[node.id] = namespace[node.id]
    return g
