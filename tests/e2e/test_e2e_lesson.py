"""A newcomer's first lesson, in a real terminal: ``modbox`` → the lesson menu → the first lesson →
a prediction → the run → a check ✗, a hint, a fix typed in the editor, the check ✓ → ctrl+q, and
the terminal is left as it was found."""

from __future__ import annotations

import pytest

from modbox.lessons.loader import load_catalog
from tests.support.e2e import PROMPT, Terminal, kill_leftovers, needs_tmux


pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

FIXED = """class Layer:
    def __init__(self, n_in, n_out):
        self.n_in = n_in
        self.n_out = n_out

    def describe(self):
        return f"{self.n_in} -> {self.n_out}"

layer = Layer(4, 2)
print(layer.describe())
print(sorted(vars(layer)))
"""


def test_first_launch_walks_the_first_lesson_to_a_pass_and_quits_cleanly(tmp_path):
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox; echo modbox-exit=$?")
            app_pid = term.wait_for_app()

            # The lesson menu: every lesson in order, the first one highlighted.
            catalog = load_catalog(None)
            lessons = len(catalog.lessons)
            lesson = catalog.get("objects")
            screen = term.wait_for("modbox lessons", f"0 of {lessons} solved", "1. A model is an object",
                                   "not started")
            assert "Traceback" not in screen
            term.press("Enter")
            term.wait_for("step 1 of 5: Blueprints and objects", "A class is a blueprint")

            # Step 2 asks a prediction before anything runs.
            term.press("n")
            term.wait_for("Predict before you run", "AttributeError: 'Layer' object has no attribute")
            term.press("2")  # AttributeError: the right answer
            term.wait_for("How sure are you?")
            term.press("3")
            screen = term.wait_for("✓ Right!", "The run shows:")
            assert "You chose: AttributeError" in screen
            term.press("Enter")
            term.wait_for("Predict before you run", gone=True)

            # Step 3: the task. The starter runs and its checks fail.
            term.press("n")
            screen = term.wait_for("step 3 of 5: Keep the numbers on the object",
                                   f"Checks  0 of {len(lesson.checks)} pass", "✗ The program runs to the end")
            assert "has no attribute 'n_in'" in screen
            term.wait_for("^g Go to line")  # the editor has the focus: its keys are in the footer

            # A hint: esc leaves the editor (the footer shows the letter keys then), and h.
            term.press("Escape")
            term.wait_for("^g Go to line", gone=True)
            term.press("h")
            term.wait_for("Hint 1:", "Where do those names live")
            term.press("F4")  # back into the editor
            term.wait_for("^g Go to line")

            # The fix, typed into the editor (the cursor is at the top): the class again, keeping
            # both numbers on the object (Enter is CR; typed in one burst, so enter adds no indentation), then
            # the old code below it selected to the end and deleted.
            term.type(FIXED.replace("\n", "\r"))
            term.wait_for("self.n_in = n_in", "self.n_out = n_out")
            term.press(*["S-Down"] * 20, "BSpace")
            term.wait_for("TODO: these two lines", gone=True)
            screen = term.wait_for_run(f"Checks  all {len(lesson.checks)} pass",
                                       *(f"✓ {check.label.replace(chr(96), '')}" for check in lesson.checks[:2]))
            assert "✗" not in screen.split("Checks", 1)[1]

            term.press("C-q")
            screen = term.wait_for("modbox-exit=0")
            # The terminal is back: main screen, no mouse reporting, cursor shown, a clean prompt.
            assert term.flag("alternate_on") == "0"
            assert term.flag("mouse_any_flag") == "0"
            assert term.flag("cursor_flag") == "1"
            assert screen.rstrip().endswith(PROMPT.rstrip())
            assert "Traceback" not in screen
            term.wait_until(lambda: not term.leftovers(app_pid), "no modbox or sandbox process left")
        finally:
            kill_leftovers(term, app_pid)
