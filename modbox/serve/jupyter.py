"""The JupyterHub launcher: a jupyter-server-proxy entry point (``modbox[jupyter]``).

An image with modbox installed shows a "modbox" tile in the JupyterLab launcher, served under the
learner's ``{base_url}modbox/``. The hub and the Jupyter server do the login (and check the origin
of the websocket), so modbox asks for no second token: it listens on a unix socket that
jupyter-server-proxy makes in a new folder only the learner can open, never on a TCP port, so
nothing but the learner's own Jupyter server (and the learner's own processes) can reach it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def server_config() -> dict:
    return {
        "command": [sys.executable, "-m", "modbox", "serve", "--unix-socket", "{unix_socket}"],
        "unix_socket": True,
        "timeout": 60,  # the server starts in a second or two, a busy node may take longer
        "new_browser_tab": True,
        "launcher_entry": {
            "title": "modbox",
            "icon_path": str(Path(__file__).parent / "pages" / "icon.svg"),
            "category": "Other",
        },
    }
