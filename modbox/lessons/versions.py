"""Version specifiers like ``>=2.4,<3`` checked against the installed torch, without ``packaging``.

Supported: comma-separated clauses with ``==``, ``!=``, ``>=``, ``<=``, ``>``, ``<``, ``~=`` and
``==X.Y.*`` wildcards. Local labels (``+cpu``) are ignored; a pre-release (``2.14.0rc1``,
``2.14.0a0``, ``.dev``) sorts before its release, which is all the lessons need.
"""

from __future__ import annotations

import functools
import re
from importlib.metadata import PackageNotFoundError, version

_CLAUSE = re.compile(r"^\s*(~=|==|!=|>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?\s*$")
_VERSION = re.compile(r"^\s*v?([0-9]+(?:\.[0-9]+)*)([._-]?(?:a|b|rc|alpha|beta|pre|dev)[0-9]*)?")


@functools.cache
def installed_torch() -> str | None:
    """The installed torch version (from package metadata; torch is not imported), or None."""
    try:
        return version("torch")
    except PackageNotFoundError:
        return None


def check_specifier(spec: str) -> str | None:
    """None when ``spec`` is a valid specifier, else what is wrong with it."""
    if not spec.strip():
        return "empty version specifier (use e.g. \">=2.4\")"
    for clause in spec.split(","):
        if not _CLAUSE.match(clause):
            return f"cannot read {clause.strip()!r}: expected an operator and a version, e.g. \">=2.4\""
        if clause.strip().startswith("~=") and "." not in clause:
            return f"{clause.strip()!r}: ~= needs at least two version parts, e.g. \"~=2.4\""
    return None


def satisfies(installed: str, spec: str) -> bool:
    """Whether version ``installed`` meets every clause of ``spec`` (which must be valid)."""
    have = _parse(installed)
    for clause in spec.split(","):
        op, number, wildcard = _CLAUSE.match(clause).groups()
        want = tuple(int(p) for p in number.split("."))
        if not _compare(have, op, want, bool(wildcard)):
            return False
    return True


def _parse(text: str) -> tuple[tuple[int, ...], bool]:
    match = _VERSION.match(text)
    if not match:
        raise ValueError(f"not a version: {text!r}")
    release = tuple(int(p) for p in match.group(1).split("."))
    return release, bool(match.group(2))


def _compare(have: tuple[tuple[int, ...], bool], op: str, want: tuple[int, ...], wildcard: bool) -> bool:
    release, pre = have
    if op in ("==", "!=") and wildcard:
        same = _pad(release, len(want))[: len(want)] == want
        return same if op == "==" else not same
    if op == "~=":
        prefix = want[:-1]
        return _order(have, want) >= 0 and _pad(release, len(prefix))[: len(prefix)] == prefix
    order = _order(have, want)
    return {
        "==": order == 0,
        "!=": order != 0,
        ">=": order >= 0,
        "<=": order <= 0,
        ">": order > 0,
        "<": order < 0,
    }[op]


def _order(have: tuple[tuple[int, ...], bool], want: tuple[int, ...]) -> int:
    release, pre = have
    width = max(len(release), len(want))
    a, b = _pad(release, width), _pad(want, width)
    if a != b:
        return -1 if a < b else 1
    return -1 if pre else 0


def _pad(parts: tuple[int, ...], width: int) -> tuple[int, ...]:
    return parts + (0,) * (width - len(parts))
