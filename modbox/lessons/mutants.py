"""Mutants of a lesson's solution.py: small wrong versions its checks should tell apart.

A teacher's checks pass the solution and fail the cheats they thought of. Mutants find the
mistakes they did not think of: each one changes the solution in one place, the way a
learner's slip would, and ``modbox lessons check --mutants`` runs the lesson's checks on it.
A mutant that passes every check *survives*: either the checks miss a real mistake, or the
change makes no difference (an *equivalent* mutant), which the lesson then lists with one line
saying why.

The operators, each applied at every place it fits:

- ``drop``: remove one statement (its lines become ``pass``);
- ``swap``: exchange two adjacent statements of the same block that share a variable (two
  that share none, or two definitions, run in either order alike);
- ``flip``: ``True`` <-> ``False``, a comparison to its opposite (``==``/``!=``, ``<``/``>=``,
  ``is``/``is not``, ``in``/``not in``), ``not x`` -> ``x``;
- ``number``: a number passed to a call, plus one (an integer) or doubled (a float).

``print(...)`` calls (and the numbers in them), imports, whole classes and docstrings are left
alone: what a program
prints is not what its checks should rest on, and a missing import or class fails every check
at once.

A mutant is named by what it changes, in words that survive edits elsewhere in the file
("drop `model.eval()`"), so that a lesson can list it as equivalent by that name.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

_OPPOSITE = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt,
             ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
             ast.In: ast.NotIn, ast.NotIn: ast.In}
KINDS = ("drop", "swap", "flip", "number")


@dataclass(frozen=True)
class Mutant:
    name: str  # what it changes, e.g. "drop `model.eval()`"; unique within one solution
    kind: str  # one of KINDS
    line: int  # the first line it changes in solution.py
    source: str
    diff: str  # the changed lines, as a unified diff without its header


def mutants(source: str) -> list[Mutant]:
    """Every mutant of ``source`` that compiles and differs from it, in a fixed order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines(keepends=True)
    found: list[Mutant] = []
    names: dict[str, int] = {}

    def add(kind: str, name: str, line: int, mutated: list[str]) -> None:
        text = "".join(mutated)
        if text == source:
            return
        try:
            compile(text, "solution.py", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return
        seen = names.get(name, 0)
        names[name] = seen + 1
        if seen:
            name = f"{name} (#{seen + 1})"
        found.append(Mutant(name, kind, line, text, _diff(source, text)))

    shared = _shared_lines(tree)
    for body in _bodies(tree):
        statements = [s for s in body if _mutable(s, shared)]
        for statement in statements:
            add("drop", f"drop `{_first_line(lines, statement)}`", statement.lineno,
                _replace_lines(lines, statement, _indent(lines, statement) + "pass\n"))
        for a, b in zip(body, body[1:]):
            if _mutable(a, shared) and _mutable(b, shared) and _dependent(a, b):
                add("swap", f"swap `{_first_line(lines, a)}` and `{_first_line(lines, b)}`",
                    a.lineno, _swap(lines, a, b))
    printed = {id(n) for call in ast.walk(tree) if _is_print(call) for n in ast.walk(call)}
    for node in ast.walk(tree):
        if id(node) in printed:
            continue
        for replacement in _flips(node):
            old = _segment(lines, node)
            if old is None:
                continue
            add("flip", f"flip `{old}` to `{replacement}`", node.lineno,
                _replace_segment(lines, node, replacement))
        if isinstance(node, ast.Call):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if (isinstance(arg, ast.Constant) and type(arg.value) in (int, float)
                        and _segment(lines, arg) is not None):
                    new = _changed_number(arg.value)
                    add("number", f"change {arg.value!r} to {new!r} in "
                                  f"`{_line_text(lines, arg.lineno)}`",
                        arg.lineno, _replace_segment(lines, arg, repr(new)))
    return found


def sample(found: list[Mutant], limit: int | None) -> list[Mutant]:
    """At most ``limit`` mutants, taken in turn from each kind so that every kind is tried,
    in file order within a kind: the same ones every time."""
    if limit is None or len(found) <= limit:
        return found
    by_kind = [[m for m in found if m.kind == kind] for kind in KINDS]
    chosen: list[Mutant] = []
    while len(chosen) < limit:
        for group in by_kind:
            if group and len(chosen) < limit:
                # spread over the file: take from the middle of what is left, alternately
                chosen.append(group.pop(len(group) // 2 if len(chosen) % 2 else 0))
    return sorted(chosen, key=found.index)


# ------------------------------------------------------------------ where to mutate


def _bodies(tree: ast.AST):
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def _shared_lines(tree: ast.AST) -> set[int]:
    """Lines holding more than one statement (``a = 1; b = 2``, ``if x: y``): left alone."""
    count: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            count[node.lineno] = count.get(node.lineno, 0) + 1
    return {line for line, n in count.items() if n > 1}


def _mutable(statement: ast.stmt, shared: set[int]) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Pass, ast.ClassDef)):
        return False
    if any(line in shared for line in range(statement.lineno, statement.end_lineno + 1)):
        return False
    if isinstance(statement, ast.Expr):
        value = statement.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return False  # a docstring
        if _is_print(value):
            return False
    return not getattr(statement, "decorator_list", None)


def _is_print(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"


_MODULE_NAMES = frozenset({"torch", "nn", "F", "math"})


def _dependent(a: ast.stmt, b: ast.stmt) -> bool:
    """Whether the order of two adjacent statements can matter: both are not definitions
    (those run in either order alike), and they share a variable (``self`` counts, the
    modules ``torch``, ``nn``, ``F`` and ``math`` do not)."""
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    if isinstance(a, definitions) and isinstance(b, definitions):
        return False
    return bool(_names(a) & _names(b))


def _names(statement: ast.stmt) -> set[str]:
    names = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
    if "super" in names:  # super().__init__() works on self
        names.add("self")
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(statement.name)
    return names - _MODULE_NAMES


def _flips(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return [repr(not node.value)]
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _OPPOSITE:
        flipped = ast.Compare(node.left, [_OPPOSITE[type(node.ops[0])]()], node.comparators)
        return [ast.unparse(flipped)]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return [ast.unparse(node.operand)]
    return []


def _changed_number(value):
    if isinstance(value, int):
        return value + 1
    return value * 2 if value else 1.0


# ------------------------------------------------------------------ text edits


def _indent(lines: list[str], node: ast.stmt) -> str:
    line = lines[node.lineno - 1]
    return line[: len(line) - len(line.lstrip())]


def _first_line(lines: list[str], node: ast.stmt) -> str:
    return _line_text(lines, node.lineno)


def _line_text(lines: list[str], number: int) -> str:
    """The line without its comment (``  # ...``), cut to 60 characters."""
    text = lines[number - 1].split("  #")[0].strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _block(lines: list[str], node: ast.stmt) -> tuple[int, int]:
    """0-based [start, end) of the lines a statement occupies, decorators and all."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    return start, node.end_lineno


def _replace_lines(lines: list[str], node: ast.stmt, text: str) -> list[str]:
    start, end = _block(lines, node)
    return lines[:start] + [text] + lines[end:]


def _swap(lines: list[str], a: ast.stmt, b: ast.stmt) -> list[str]:
    a_start, a_end = _block(lines, a)
    b_start, b_end = _block(lines, b)
    return lines[:a_start] + lines[b_start:b_end] + lines[a_end:b_start] + lines[a_start:a_end] + lines[b_end:]


def _segment(lines: list[str], node: ast.AST) -> str | None:
    """The node's text when it sits on one line (offsets are in UTF-8 bytes)."""
    if getattr(node, "lineno", None) is None or node.lineno != node.end_lineno:
        return None
    raw = lines[node.lineno - 1].encode()
    return raw[node.col_offset:node.end_col_offset].decode()


def _replace_segment(lines: list[str], node: ast.AST, text: str) -> list[str]:
    raw = lines[node.lineno - 1].encode()
    new = raw[:node.col_offset] + text.encode() + raw[node.end_col_offset:]
    return lines[: node.lineno - 1] + [new.decode()] + lines[node.lineno:]


def _diff(before: str, after: str) -> str:
    out = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return "\n".join(line for line in out if not line.startswith(("---", "+++")))
