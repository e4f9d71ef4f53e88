"""A run that fails explains itself, in a real terminal: ``modbox play`` of a CNN that keeps its
layers in a plain list and calls ``.to(torch.float64)`` fails in its first convolution, and the
panes show that failed run's own model and findings (the plain list is the explanation), marked
as from a failed run; the last good run (the file's imports alone) is one key away (alt+g)."""

from __future__ import annotations

import pytest

from tests.support.e2e import Terminal, kill_leftovers, needs_tmux
from tests.support.programs import IMPORTS, PLAIN_LIST_CNN

pytestmark = [needs_tmux, pytest.mark.tmux, pytest.mark.slow, pytest.mark.timeout(600)]

NO_MODEL = "no nn.Module in this file yet"
FAILED = "From the failed run"


def paste(term: Terminal, text: str) -> None:
    """Paste ``text`` as a terminal does (bracketed paste): one block, no auto-indent."""
    term.tmux("set-buffer", "-b", "e2e-paste", "--", text)
    term.tmux("paste-buffer", "-p", "-d", "-b", "e2e-paste", "-t", term.session)


def test_a_failed_run_shows_its_own_model_and_findings_marked_as_failed(tmp_path):
    (tmp_path / "cnn.py").write_text(IMPORTS)
    app_pid = None
    with Terminal(tmp_path / "home", tmp_path) as term:
        try:
            term.run("modbox play cnn.py")
            app_pid = term.wait_for_app()
            term.wait_for_run(NO_MODEL, "done in")  # the imports alone: a good run, no model
            term.press("C-End")
            paste(term, PLAIN_LIST_CNN.removeprefix(IMPORTS))  # the rest of the CNN
            screen = term.wait_for_run(FAILED, "model CNN", "head Linear",
                                       "RuntimeError: Input type (double) and bias type (float)")
            assert NO_MODEL not in screen, "the panes show the last good run, not the failed one"
            term.press("M-5")  # Findings: the failed run's own, with the plain list
            screen = term.wait_for("unregistered_module", "is a plain list holding 3 modules")
            assert FAILED in screen and "nothing silently wrong" not in screen
            term.press("M-1", "M-g")  # the last good run, one key away, marked as such
            screen = term.wait_for("Stale: the last good run", NO_MODEL)
            assert "head Linear" not in screen
            term.press("M-g")  # and back to the failed run's own report
            term.wait_for(FAILED, "head Linear")
        finally:
            kill_leftovers(term, app_pid)
