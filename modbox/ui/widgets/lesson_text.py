"""Lesson text in the player: inline Markdown for one-line labels, and fenced blocks for output.

Lesson files are trusted Markdown; run output is not, so it only ever goes inside a fence
(shown literally, escape sequences removed) or through ``plain``.
"""

from __future__ import annotations

import re

from rich.text import Text

from modbox.ui.plain_text import strip_escapes

_INLINE = re.compile(r"(`[^`]+`|\*\*[^*]+\*\*)")


def inline(text: str, style: str = "") -> Text:
    """One line of lesson Markdown (``code`` and **bold**) as a rich Text, nothing else read."""
    result = Text(style=style)
    for part in _INLINE.split(" ".join(text.split())):
        if len(part) > 1 and part.startswith("`") and part.endswith("`"):
            result.append(part[1:-1], style="bold cyan")
        elif len(part) > 3 and part.startswith("**") and part.endswith("**"):
            result.append(part[2:-2], style="bold")
        else:
            result.append(part)
    return result


def fence(text: str, language: str = "text") -> str:
    """``text`` as a Markdown code block that nothing inside it can close early."""
    body = strip_escapes(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{body}\n{ticks}"


def evidence(stdout: str) -> str:
    """What an observe run printed, without its last line (the id of the true choice)."""
    lines = stdout.rstrip().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines[:-1])
