"""Every size a learner's terminal is likely to have, in a real terminal: 80x24, 100x30, 140x45
and 200x60. What a lesson says can be read whole (its header, its code block's comment, wrapped
or not), every pane's tab title is on screen once the panes are (f8 where they take turns), and
the keys that matter are in the footer; ``modbox play FILE`` likewise, with the whole error."""

from __future__ import annotations

import pytest

from modbox.ui.workspace import PANE_TITLES
from tests.support.e2e import Terminal, has_words_of, kill_leftovers, needs_tmux
from tests.support.programs import PLAIN_LIST_CNN

pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

SIZES = [(80, 24), (100, 30), (140, 45), (200, 60)]
BOX_EDGES = "│┃▌▐█▊▎▔▁▇▅▃▂▄▆"  # borders and scrollbar thumbs drawn around a box's text

LESSON = "prefixed-keys"
HEADER = ["Wrapped models and prefixed keys", "step 1 of 4: A model inside a wrapper",
          "in the editor, hold alt: alt+n, alt+h, …"]
COMMENT = "# ['module.0.weight', 'module.0.bias']"
LESSON_KEYS = ["alt+n Next", "alt+h Hint", "alt+s Solution", "^q Quit", "f1 Help"]

ERROR = ("exception: RuntimeError: Input type (double) and bias type (float) should be the same "
         "(line 13). The traceback shows how your code got there.")
PLAY_KEYS = ["^r Run", "^s Save", "f2 Next pane", "^q Quit", "f1 Help"]


def size_id(size: tuple[int, int]) -> str:
    return "x".join(map(str, size))


def squeezed(text: str) -> str:
    """``text`` without spaces: a line wrapped anywhere reads the same."""
    return "".join(text.split())


def reads(screen_lines: list[str], text: str) -> bool:
    """Whether ``text`` is in ``screen_lines`` read one after another (wrapped lines joined)."""
    return squeezed(text) in squeezed("".join(screen_lines))


def first_box(screen: str) -> list[str]:
    """The text inside the leftmost box on each line: a lesson's text, whatever is beside it."""
    lines = []
    for line in screen.splitlines():
        if "│" in line:
            inside = line.split("│")[1]
            lines.append(inside.strip(BOX_EDGES + " "))
    return lines


def header(screen: str) -> list[str]:
    """The lines above the first box: a lesson's header, however many lines it took."""
    lines = screen.splitlines()
    return lines[:next((i for i, line in enumerate(lines) if "╭" in line), 0)]


def footer(screen: str, lines: int = 3) -> str:
    return "\n".join(screen.splitlines()[-lines:])


def show_the_panes(term: Terminal) -> str:
    """Switch (f8) to the panes where they take turns with other parts (the code comes first
    on a narrow terminal); returns the screen with them."""
    if PANE_TITLES["modules"] not in term.screen():
        term.press("F8")
        shown = term.wait_until(lambda: next((part for part in ("Code", "Panes")
                                              if f"Showing: {part}" in term.screen()), None),
                                "f8 to switch")
        if shown == "Code":
            term.press("F8")
            term.wait_for("Showing: Panes")
    term.wait_for("Showing:", gone=True)  # the note fades: it is drawn over the footer
    return term.wait_for(PANE_TITLES["modules"])


def assert_tabs_whole(screen: str) -> None:
    tab_line = next(line for line in screen.splitlines() if PANE_TITLES["modules"] in line)
    missing = [title for title in PANE_TITLES.values() if title not in tab_line]
    assert not missing, f"tabs cut: {missing} not in {tab_line!r}\n{screen}"


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_a_lesson_reads_whole_and_its_tabs_and_keys_are_on_screen(tmp_path, size):
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path, size=size) as term:
        try:
            term.run(f"modbox learn {LESSON}")
            app_pid = term.wait_for_app()
            term.wait_for("A model inside a wrapper", "f1 Help")
            term.wait_until(lambda: all(reads(header(term.screen()), part) for part in HEADER),
                            "the whole header")
            # The comment is the point of the step: whole, on screen or a few lines down.
            for _ in range(20):
                screen = term.screen()
                if reads(first_box(screen), COMMENT):
                    break
                term.press("Down")
            assert reads(first_box(screen), COMMENT), f"the comment is cut:\n{screen}"
            for key in LESSON_KEYS:
                assert key in footer(screen), f"{key!r} is not in the footer:\n{screen}"
            screen = show_the_panes(term)
            assert_tabs_whole(screen)
            for key in LESSON_KEYS:
                assert key in footer(screen), f"{key!r} is not in the footer:\n{screen}"
        finally:
            kill_leftovers(term, app_pid)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_play_shows_the_whole_error_its_tabs_and_its_keys(tmp_path, size):
    (tmp_path / "cnn.py").write_text(PLAIN_LIST_CNN)
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path, size=size) as term:
        try:
            term.run("modbox play cnn.py")
            app_pid = term.wait_for_app()
            term.wait_until(lambda: has_words_of(term.screen(), ERROR), "the whole error on screen")
            screen = term.screen()
            assert "cnn.py" in screen
            for key in PLAY_KEYS:
                assert key in footer(screen), f"{key!r} is not in the footer:\n{screen}"
            screen = show_the_panes(term)
            assert_tabs_whole(screen)
            assert "head Linear" in screen  # the model as the failed run built it
            for key in PLAY_KEYS:
                assert key in footer(screen), f"{key!r} is not in the footer:\n{screen}"
        finally:
            kill_leftovers(term, app_pid)
