"""Learner output as plain text: never interpreted as markup, terminal escapes removed."""

from __future__ import annotations

import re

from rich.text import Text

# CSI and OSC sequences, other two-character escapes, and control characters a terminal would act on.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|[\x00-\x08\x0b-\x1f\x7f]"
)


def strip_escapes(text: str) -> str:
    return _ESCAPES.sub("", text.replace("\r\n", "\n"))


def plain(text: str, style: str = "") -> Text:
    """A rich Text that shows ``text`` literally: ``[red]`` stays ``[red]``."""
    return Text(strip_escapes(text), style=style)
