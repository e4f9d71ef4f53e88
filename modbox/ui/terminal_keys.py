"""Alt+digit from a real terminal: Textual reads ESC followed by a digit (what xterm, tmux and most
terminals send for alt+digit) as the character a macOS keyboard puts on option+digit ("™" for
alt+2), so the editor typed junk and the pane keys alt+1..6 never ran. Without those entries the
parser reports them as the keys "alt+1".."alt+0"."""

from __future__ import annotations

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

ESC_DIGITS = tuple(f"\x1b{digit}" for digit in "0123456789")


def read_escape_digit_as_alt_digit() -> None:
    for sequence in ESC_DIGITS:
        ANSI_SEQUENCES_KEYS.pop(sequence, None)
