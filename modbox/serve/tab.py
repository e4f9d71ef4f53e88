"""The process one browser tab runs: ``modbox learn|play ...`` with Textual's web driver.

It ends with the server that started it (PDEATHSIG), so a server that is killed outright leaves
no modbox behind; the sandbox's processes already end with the app.

Started ahead of its page's websocket (``MODBOX_SERVE_AHEAD``), it starts the sandbox and imports
the app, then waits for the first packet on stdin: the page's size (a ``resize`` meta packet,
which the server sends first when the page connects), so that the app starts at the size of the
page. Textual's web driver would otherwise start at a guessed size and could take the page's size
before its own start-up size, ending at the wrong one.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, unbuffered: what follows belongs to Textual's web driver."""
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def wait_for_size(fd: int = 0) -> tuple[int, int] | None:
    """The page's size from the first packet (``M``, 4-byte length, JSON); None if it is not one
    (the server ended this modbox before its page came)."""
    try:
        kind, length = _read_exactly(fd, 1), int.from_bytes(_read_exactly(fd, 4), "big")
        meta = json.loads(_read_exactly(fd, length))
    except (EOFError, ValueError):
        return None
    if kind != b"M" or meta.get("type") != "resize":
        return None
    return int(meta["width"]), int(meta["height"])


def main() -> int:
    from modbox.sandbox import privileges

    privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != os.environ.get("MODBOX_SERVE_PID"):
        return 1  # the server ended before the line above took effect
    from modbox.cli import build_parser

    args = build_parser().parse_args(sys.argv[1:])
    from modbox.ui import launch

    handler = launch.play if args.command == "play" else launch.learn  # what serve allows
    if os.environ.pop("MODBOX_SERVE_AHEAD", None):
        reads = launch.worker_reads(args)
        if reads is None:
            return 2
        factory = launch.start_worker(reads)
        import modbox.ui.app  # noqa: F401  (Textual and the app, while the page loads)
        import modbox.ui.learn_app  # noqa: F401

        size = wait_for_size()
        if size is None:
            return 0
        os.environ["COLUMNS"], os.environ["ROWS"] = str(size[0]), str(size[1])
        return handler(args, sandbox_factory=factory)
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
