"""How numbers, shapes and sizes read, in the terminal printer (render.py) and in every pane:
one spelling everywhere. Sizes are binary (1 KiB = 1024 B); what is not there reads NONE."""

from __future__ import annotations

import re

NONE = "--"


def count(n: int) -> str:
    """``1234`` -> ``1,234``."""
    return f"{n:,}"


def signed(n: int) -> str:
    """``12`` -> ``+12``, ``-1234`` -> ``-1,234``."""
    return f"{n:+,}"


def shape(s) -> str:
    """``[2, 10]`` -> ``[2, 10]``; lists of shapes (a call's inputs, a tuple of outputs) the same
    way; a shape that is not there (a missing gradient, a tensor that has none) -> NONE."""
    if s is None:
        return NONE
    return str(s).replace("'", "").replace("None", NONE)


def size(n_bytes: int) -> str:
    """``512`` -> ``512 B``, ``1536`` -> ``1.50 KiB``; GiB is the largest unit."""
    value, unit = float(n_bytes), "B"
    for bigger in ("KiB", "MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{n_bytes:,} B" if unit == "B" else f"{value:,.2f} {unit}"


def at_line(message: str, line: int | None) -> str:
    """``message`` ending in `` (line N)``, unless it already names that line: error messages
    mostly say where themselves, and a reader should not be told twice."""
    if not line or re.search(rf"\bline {line}\b", message):
        return message
    return f"{message} (line {line})"
