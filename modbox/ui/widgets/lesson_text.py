"""Lesson text in the player: inline Markdown for one-line labels, and fenced blocks for output.

Lesson files are trusted Markdown; run output is not, so it only ever goes inside a fence
(shown literally, escape sequences removed) or through ``plain``.
"""

from __future__ import annotations

import re

from rich.text import Text

from modbox.plain_text import strip_escapes

_INLINE = re.compile(r"(`[^`]+`|\*\*[^*]+\*\*)")


def inline(text: str, style: str = "") -> Text:
    """One line of lesson Markdown (``code`` and **bold**) as a rich Text, nothing else read."""
    result = Text(style=style)
    for part in _INLINE.split(re.sub(r"\s+", " ", text)):
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


def without_verdict(explanation: str) -> str:
    """The right choice's explanation, shown after a wrong answer, without its opening "Right."."""
    return re.sub(r"^\s*(Right|Correct|Yes)[.!]\s*", "", explanation).strip()


def plain_markdown(text: str) -> str:
    """A plain lesson string (a title, the myth's claim) made safe to embed in Markdown:
    ``__init__`` stays ``__init__`` instead of turning bold."""
    return re.sub(r"([\\`*_\[\]#<>|])", r"\\\1", text)
