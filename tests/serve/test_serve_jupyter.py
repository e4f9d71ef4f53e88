"""The JupyterHub launcher, through a real Jupyter server with jupyter-server-proxy on loopback:
the "modbox" entry is offered to JupyterLab's launcher, ``/modbox/`` opens modbox in the browser
once the learner is logged in to Jupyter (no second token), and not before."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from modbox.serve.tab import TAB

from tests.support.serve import (
    Browser, Tab, command_line, descendants, process_name, require_module, wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyter(tmp_path):
    """A Jupyter server on 127.0.0.1 with a token, as a single-user server behind a hub runs."""
    require_module("jupyter_server_proxy")
    port, token = _free_port(), secrets.token_hex(16)
    log = open(tmp_path / "jupyter.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}"],
        cwd=tmp_path, env={**os.environ, "MODBOX_HOME": str(tmp_path / "home")},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            pytest.fail(f"jupyter server ended:\n{(tmp_path / 'jupyter.log').read_text()}")
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            return True
        except OSError:
            return False

    wait_until(up, "the Jupyter server to answer", timeout=120,
               on_fail=lambda: (tmp_path / "jupyter.log").read_text())
    try:
        yield process, base, token
    finally:
        below = descendants(process.pid)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        log.close()


def test_jupyter_offers_modbox_and_serves_it_under_the_users_base_url(tmp_path, jupyter):
    process, base, token = jupyter
    with urllib.request.urlopen(f"{base}/server-proxy/servers-info?token={token}", timeout=30) as r:
        servers = {s["name"]: s for s in json.load(r)["server_processes"]}
    assert servers["modbox"]["launcher_entry"]["title"] == "modbox"
    assert servers["modbox"]["launcher_entry"]["path_info"] == "modbox/"

    with Browser() as browser:
        # Not logged in to Jupyter: its login page, no modbox started.
        stranger = Tab(browser.context().new_page(), tmp_path)
        stranger.goto(f"{base}/modbox/")
        assert "/login" in stranger.page.url
        assert stranger.screen() == ""

        context = browser.context()
        tab = Tab(context.new_page(), tmp_path)
        tab.goto(f"{base}/login?token={token}")  # what the hub's login leaves behind: a cookie
        tab.goto(f"{base}/modbox/")
        tab.wait_for("modbox lessons", "not started")
        assert tab.outside(base) == []
        tabs = [pid for pid in descendants(process.pid) if process_name(pid) == TAB]
        assert len(tabs) == 1
        tab.press("Enter")
        tab.wait_for("step 1 of")
        context.close()
        wait_until(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in tabs),
                   "the tab's modbox to end")

    # modbox listens on a unix socket in a folder only this user can open, never on a port.
    server = next(pid for pid in descendants(process.pid) if "--unix-socket" in command_line(pid))
    sock = command_line(server).split("--unix-socket ", 1)[1].strip()
    assert oct(os.stat(os.path.dirname(sock)).st_mode & 0o777) == "0o700"
    listening = open("/proc/net/tcp").read() + open("/proc/net/tcp6").read()
    inodes = {os.readlink(f"/proc/{server}/fd/{fd}") for fd in os.listdir(f"/proc/{server}/fd")}
    tcp_inodes = {line.split()[9] for line in listening.splitlines()[1:]}
    assert not {i[8:-1] for i in inodes if i.startswith("socket:[")} & tcp_inodes

