"""``modbox serve`` without a browser: its messages for a bad flag, a port in use and a missing
extra, and what its server answers to requests with and without the token or from elsewhere."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from modbox.cli import main

from tests.support.serve import Served, require_module


def serve(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modbox", "serve", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, said", [
    (["--port", "99999"], "--port 99999: a port is a number from 1 to 65535"),
    (["--port", "eighty"], "argument --port: invalid int value: 'eighty'"),
    (["--max-tabs", "0"], "--max-tabs 0: give at least 1"),
    (["inspect", "model.py"], "not 'inspect'"),
    (["play", "a.py", "b.py"], "modbox play a.py b.py: unrecognized arguments: b.py"),
    (["--lessons", "no-such-folder"], "the lesson folder no-such-folder does not exist"),
    (["--host", "no-such-host.invalid"], "--host no-such-host.invalid: no such address"),
    (["--host", "192.0.2.1"], "--host 192.0.2.1 is not an address of this machine"),
    (["--unix-socket", "/tmp/modbox.sock"], "must be an existing folder only you can open"),
])
def test_a_bad_flag_says_what_is_wrong_and_what_to_try(tmp_path, args, said):
    done = serve(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_a_port_in_use_says_so_and_how_to_pick_another(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("--port", str(port), cwd=tmp_path)
    assert done.returncode == 2
    assert f"port {port} is already in use on 127.0.0.1" in done.stderr
    assert "--port 0 for any free port" in done.stderr


def test_a_missing_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if it were not installed
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "needs the 'serve' extra, and textual_serve is not installed" in err
    assert "pip install 'modbox[serve]'" in err


def _get(url: str, cookie: str | None = None, origin: str | None = None):
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", cookie)
    if origin:
        request.add_header("Origin", origin)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_token_is_traded_for_a_cookie_and_nothing_answers_without_either(tmp_path):
    with Served(home=tmp_path / "home", cwd=tmp_path) as served:
        port = served.origin.rsplit(":", 1)[1]
        for path in ("/", "/ws", "/static/js/textual.js", "/?token=" + served.token[:-1]):
            status, _, body = _get(served.origin + path)
            assert status == 403 and "needs its token" in body, path

        status, headers, _ = _get(served.url)
        assert status == 302 and headers["Location"] == "./"  # the token leaves the address bar
        cookie = headers["Set-Cookie"]
        assert cookie.startswith(f"modbox-{port}={served.token};")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        jar = cookie.split(";", 1)[0]

        status, _, page = _get(served.origin + "/", cookie=jar)
        assert status == 200
        # Every URL in the page is relative (works under a proxy's prefix) and local.
        assert re.findall(r"(?:href|src)=\"([^\"]+)\"", page) == [
            "data:,", "static/fonts/RobotoMono-VariableFont_wght.ttf", "static/css/xterm.css",
            "static/js/textual.js"]
        assert "://" not in page
        assert _get(served.origin + "/static/js/textual.js", cookie=jar)[0] == 200

        # A request from another origin is refused even with the cookie.
        status, _, body = _get(served.origin + "/", cookie=jar, origin="http://127.0.0.1:1")
        assert status == 403 and "Not from this page" in body
        assert _get(served.origin + "/", cookie=jar, origin=served.origin)[0] == 200
        # Requests that are not a browser loading the page (probes, scripts) start no modbox
        # (at most the spare is waiting, for a browser).
        assert served.tab_pids() == [] and len(served.waiting_pids()) <= 1


def test_a_websocket_from_another_origin_starts_no_tab(tmp_path):
    require_module("aiohttp")
    import aiohttp

    async def attempt(url: str, origin: str) -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url, origin=origin):
                    return 101
            except aiohttp.WSServerHandshakeError as error:
                return error.status

    with Served(home=tmp_path / "home", cwd=tmp_path) as served:
        ws = served.origin.replace("http", "ws") + f"/ws?token={served.token}"
        assert asyncio.run(attempt(ws, "http://localhost:9")) == 403
        assert asyncio.run(attempt(ws, "null")) == 403
        assert served.tab_pids() == []


def test_no_spare_keeps_no_modbox_started_ahead(monkeypatch):
    require_module("aiohttp")
    from modbox.serve import server as serving

    started = []

    async def start(tab, *size):  # a spare's process, without the process
        started.append(tab)

    monkeypatch.setattr(serving.TabProcess, "start", start)

    async def spares(keep_spare: bool) -> int:
        server = serving.ModboxServer(["play", "model.py"], token=None, max_tabs=4,
                                      cookie_name="modbox", keep_spare=keep_spare)
        started.clear()
        await server._start_spare()
        server._start_spare_later()
        planned = server._spare_timer is not None
        if planned:
            server._spare_timer.cancel()
        return len(started) + planned

    async def both() -> tuple[int, int]:
        return await spares(False), await spares(True)

    assert asyncio.run(both()) == (0, 2)  # kept: one started now, one more planned
