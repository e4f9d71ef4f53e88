"""Readable text in every theme: each character is drawn at least 4.5:1 from its background
(WCAG AA), whatever widget, theme or syntax colour drew it.

Textual's themes, its widgets' muted text (inactive tabs, the footer's keys, placeholders, line
numbers) and Rich's ``dim`` fall below that, most on the light theme (about 2.3:1). Rather than
patch each colour, a line filter (applied by Textual to every line a widget renders) moves any
foreground that is too close to its background toward black or white, just enough. Terminals
draw ``dim`` as a blend halfway to the background, so it is turned into that colour first and
then checked like any other.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

MIN_CONTRAST = 4.5
AIM = 4.6  # a little above: colours are rounded to whole channel values afterwards
DIM_FACTOR = 0.5  # how far toward the background a terminal draws dim text
NO_DIM = Style(dim=False)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = rgb
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(a, b, t: float) -> tuple[float, float, float]:
    return tuple(x + (y - x) * t for x, y in zip(a, b))


def readable(fg, bg) -> tuple[float, float, float]:
    """``fg`` moved toward black or white (the side with more room) until it reaches
    MIN_CONTRAST against ``bg``, by as little as that takes."""
    if contrast(fg, bg) >= MIN_CONTRAST:
        return fg
    target = (0, 0, 0) if contrast((0, 0, 0), bg) > contrast((255, 255, 255), bg) else (255, 255, 255)
    low, high = 0.0, 1.0
    for _ in range(12):
        middle = (low + high) / 2
        if contrast(blend(fg, target, middle), bg) >= AIM:
            high = middle
        else:
            low = middle
    return blend(fg, target, high)


# a character that is neither space nor a border, scrollbar or block (U+2500-U+259F): shapes
# are not text to read
TEXT_CHARACTER = re.compile(r"[^\s\u2500-\u259f]")


@lru_cache(4096)
def _readable_style(style: Style, background: Color) -> Style | None:
    """The style with a readable foreground, or None when it already is one."""
    if style.color is None or style.reverse:
        return None
    bg = style.bgcolor.get_truecolor() if style.bgcolor and not style.bgcolor.is_default else (
        background.rich_color.get_truecolor())
    fg = tuple(style.color.get_truecolor())
    if style.dim:
        fg = blend(bg, fg, DIM_FACTOR)
    better = readable(fg, tuple(bg))
    if better is fg and not style.dim:
        return None
    return style + Style(color=RichColor.from_rgb(*better)) + NO_DIM


class ContrastFilter(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = []
        for segment in segments:
            style = segment.style
            if style is not None and not segment.control and TEXT_CHARACTER.search(segment.text):
                better = _readable_style(style, background)
                if better is not None:
                    segment = Segment(segment.text, better)
            out.append(segment)
        return out
