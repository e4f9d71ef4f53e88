"""``modbox serve`` in a real browser: headless Chromium, the real server, real tab processes and
their real sandboxes. A tab shows the app, takes typing, answers a lesson; closing it ends every
process it had; without the token, or from another origin, there is no app; a full server says so.
The spare modbox is the next tab's, shows the file and the progress as they are when the tab
opens, counts against the limit, and ends with the server.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import threading
from pathlib import Path

import pytest

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.serve.server import SPARE_DELAY

from tests.support.serve import Browser, Served, Tab, command_line, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

MODEL = """import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
"""


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def test_a_tab_runs_modbox_takes_typing_and_ends_its_processes_when_closed(tmp_path, browser):
    (tmp_path / "model.py").write_text(MODEL)
    with Served("play", "model.py", home=tmp_path / "home", cwd=tmp_path) as served:
        spare = served.wait_for_spare()
        assert served.tab_pids() == []
        context = browser.context()
        tab = Tab(context.new_page(), tmp_path)
        tab.goto(served.url)
        screen = tab.wait_for("Modules", "model Sequential", "0 Linear", "1 ReLU", "f1 Help")
        # The app has the page's size (it was started before the page knew it): its footer is on
        # the terminal's last row, its status line on the row above, and its rows reach the right
        # edge.
        rows = screen.split("\n")
        assert "f1 Help" in rows[-1] and "sandbox:" in rows[-2], screen
        assert max(len(row) for row in rows) >= 140, screen
        # Typing in the page reaches the editor, and the Modules pane follows the new code.
        tab.press(*["ArrowDown"] * 5, "End")
        tab.type("model.append(nn.Tanh())")
        screen = tab.wait_for("2 Tanh")
        assert "model.append(nn.Tanh())" in screen
        shots = os.environ.get("MODBOX_SCREENSHOT_DIR")
        if shots:  # the README's picture: python -m pytest ... with MODBOX_SCREENSHOT_DIR=assets
            tab.page.screenshot(path=str(Path(shots) / "serve-browser.png"))
        # Everything came from the server: no font service, no CDN.
        assert tab.outside(served.origin) == []
        # The page's websocket went to the modbox its page request had already started.
        websockets = [url for url in tab.requests if url.startswith("ws")]
        assert len(websockets) == 1 and websockets[0].startswith(
            served.origin.replace("http", "ws") + "/ws/"), tab.requests

        tabs = served.tab_pids()
        assert tabs == [spare]  # the tab took the spare, which had waited at 80x24
        running = served.processes(tabs)
        assert len(running) >= 2, running  # the app and at least its sandbox's zygote
        context.close()  # closing the tab (the whole window)
        wait_until(lambda: served.processes(tabs) == [], "every process of the closed tab to end",
                   on_fail=lambda: [command_line(pid) for pid in served.processes(tabs)])
        assert served.process.poll() is None  # the server keeps serving
    assert "Traceback" not in served.output(), served.output()


def test_a_lesson_prediction_answered_in_a_tab_is_saved(tmp_path, browser):
    lesson = load_catalog(None).lessons[0]
    home = tmp_path / "home"
    with Served(home=home, cwd=tmp_path) as served:
        tab = Tab(browser.context().new_page(), tmp_path)
        tab.goto(served.url)
        tab.wait_for("modbox lessons", "not started")
        tab.press("Enter")
        tab.wait_for("step 1 of")
        tab.press("n")
        screen = tab.wait_for("Predict before you run")
        tab.press("2")  # the first lesson's first prediction: an AttributeError
        tab.wait_for("How sure are you?")
        tab.press("3")
        tab.wait_for("✓ Right!")
        tab.page.context.close()
        wait_until(lambda: served.tab_pids() == [], "the tab's modbox to end")
    # The answer is in the learner's progress, as the terminal app would have saved it.
    progress = json.loads((home / "data" / "progress.json").read_text())
    first = lesson.predictions[0]
    answer = progress["lessons"][lesson.id]["predictions"][first.id]
    right = next(c.id for c in first.choices if c.correct)
    assert (answer["choice"], answer["confidence"], answer["correct"]) == (right, 3, True), screen


def test_no_token_no_page_and_another_origin_cannot_open_a_tab(tmp_path, browser):
    with Served(home=tmp_path / "home", cwd=tmp_path) as served:
        context = browser.context()
        page = Tab(context.new_page(), tmp_path)
        for url in (served.origin + "/", served.origin + "/?token=wrong" + served.token[6:]):
            response = page.goto(url)
            assert response.status == 403
            assert "needs its token" in page.text()
            assert page.screen() == ""  # no terminal, no websocket
        assert not any(url.startswith("ws") for url in page.requests)
        assert page.goto(served.origin + "/static/js/textual.js").status == 403

        # With the token the page opens, and the token leaves the address bar for a cookie.
        page.goto(served.url)
        assert page.page.url == served.origin + "/"
        page.wait_for("modbox lessons")
        assert len(served.tab_pids()) == 1

        # A page from another origin, in the same browser (so it has the cookie), tries to drive
        # modbox through its websocket: refused, and no tab starts.
        hostile = tmp_path / "hostile"
        hostile.mkdir()
        ws_url = served.origin.replace("http", "ws") + "/ws?width=80&height=24"
        (hostile / "index.html").write_text(
            "<script>window.result = 'pending';"
            f"const ws = new WebSocket({json.dumps(ws_url)});"
            "ws.onopen = () => { window.result = 'open'; };"
            "ws.onerror = () => { window.result = 'refused'; };</script>")
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(hostile), **k)  # noqa: E731
        other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        try:
            evil = context.new_page()
            evil.goto(f"http://127.0.0.1:{other.server_address[1]}/index.html")
            wait_until(lambda: evil.evaluate("window.result") != "pending", "the websocket to settle")
            assert evil.evaluate("window.result") == "refused"
        finally:
            other.shutdown()
        assert len(served.tab_pids()) == 1
        context.close()


def test_a_full_server_says_so_and_lets_the_next_tab_in_when_one_closes(tmp_path, browser):
    with Served("--max-tabs", "1", home=tmp_path / "home", cwd=tmp_path) as served:
        spare = served.wait_for_spare()
        first_context, second_context = browser.context(), browser.context()
        first = Tab(first_context.new_page(), tmp_path)
        first.goto(served.url)
        first.wait_for("modbox lessons")
        assert served.tab_pids() == [spare]
        # The spare counts against --max-tabs: with the one tab open, no new spare starts.
        wait_until(lambda: "no spare modbox: 1 of 1 tabs open" in served.output(),
                   f"the server to decide on a spare, {SPARE_DELAY} s after the tab took one",
                   on_fail=served.output)
        assert served.waiting_pids() == []
        second = Tab(second_context.new_page(), tmp_path)
        second.goto(served.url)
        second.wait_for_page_text("modbox is full", "--max-tabs 1", "Close a modbox tab")
        assert len(served.tab_pids()) == 1
        first_context.close()
        second.wait_for("modbox lessons")  # the full page tries again by itself
        assert len(served.tab_pids()) == 1
        second_context.close()


def test_stopping_the_server_ends_every_tab(tmp_path, browser):
    with Served(home=tmp_path / "home", cwd=tmp_path) as served:
        tab = Tab(browser.context().new_page(), tmp_path)
        tab.goto(served.url)
        tab.wait_for("modbox lessons")
        running = served.processes(served.tab_pids())
        assert len(running) >= 2  # the app and at least its sandbox's zygote
        served.process.send_signal(signal.SIGINT)  # Ctrl+C
        assert served.process.wait(timeout=60) == 0
        still = lambda: [pid for pid in running if os.path.exists(f"/proc/{pid}")]  # noqa: E731
        wait_until(lambda: still() == [], "the tab's processes to end with the server", on_fail=still)
        tab.wait_until(lambda: "has ended" in tab.text(), "the page to say the tab has ended")


def test_the_spare_shows_the_file_as_it_is_when_the_tab_opens_and_ends_with_the_server(
        tmp_path, browser):
    (tmp_path / "model.py").write_text(MODEL)
    with Served("play", "model.py", home=tmp_path / "home", cwd=tmp_path) as served:
        spare = served.wait_for_spare()
        # The learner changes the file while the spare waits (for minutes, in a classroom).
        (tmp_path / "model.py").write_text(MODEL.replace("nn.ReLU()", "nn.ReLU(), nn.Tanh()"))
        tab = Tab(browser.context().new_page(), tmp_path)
        tab.goto(served.url)
        screen = tab.wait_for("model Sequential", "0 Linear", "1 ReLU", "2 Tanh")
        assert "nn.Tanh()" in screen
        assert served.tab_pids() == [spare]
        # The next spare starts a while after the tab took this one, and waits for its own tab.
        next_spare = served.wait_for_spare()
        assert next_spare != spare and served.tab_pids() == [spare]
        running = served.processes([spare]) + sorted(served.processes_of([next_spare]))
        assert len(running) >= 4, running  # two modboxes and at least their sandboxes' zygotes
        served.process.send_signal(signal.SIGINT)  # Ctrl+C
        assert served.process.wait(timeout=60) == 0
        still = lambda: [pid for pid in running if os.path.exists(f"/proc/{pid}")]  # noqa: E731
        wait_until(lambda: still() == [], "the tab's and the spare's processes to end with the server",
                   on_fail=lambda: [command_line(pid) for pid in still()])
    assert "Traceback" not in served.output(), served.output()


def test_the_spare_shows_the_progress_as_it_is_when_the_tab_opens(tmp_path, browser):
    lesson = load_catalog(None).lessons[0]
    home = tmp_path / "home"
    with Served(home=home, cwd=tmp_path) as served:
        spare = served.wait_for_spare()
        # Solved in another window (a terminal, another tab) while the spare waits.
        ProgressStore(home / "data" / "progress.json").update(
            lesson.id, lambda record: setattr(record, "solved", True))
        tab = Tab(browser.context().new_page(), tmp_path)
        tab.goto(served.url)
        screen = tab.wait_for("modbox lessons", lesson.title)
        row = next(line for line in screen.split("\n") if lesson.title in line)
        assert "solved" in row, screen
        assert served.tab_pids() == [spare]
        tab.page.context.close()
