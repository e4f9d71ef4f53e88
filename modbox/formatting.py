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
    value, unit = float(n_bytes), "B"
    for bigger in ("KiB", "MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{n_bytes} B" if unit == "B" else f"{value:.2f} {unit}"


def signed(n: int) -> str:
    return f"{n:+,}"
