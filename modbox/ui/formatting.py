"""How numbers, shapes and sizes read in every pane (one spelling everywhere)."""

from __future__ import annotations


def count(n: int) -> str:
    return f"{n:,}"


def shape(s) -> str:
    """``[2, 10]`` -> ``[2, 10]``; nested lists for tuples of outputs; None -> ``-``."""
    if s is None or s == []:
        return "-" if s is None else "[]"
    return str(s).replace("'", "")


def size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} B"
    for unit in ("KiB", "MiB", "GiB"):
        n_bytes /= 1024
        if n_bytes < 1024 or unit == "GiB":
            return f"{n_bytes:.2f} {unit}"
    raise AssertionError("unreachable")


def signed(n: int) -> str:
    return f"{n:+,}"
