"""The process one browser tab runs: ``modbox learn|play ...`` with Textual's web driver.

It ends with the server that started it (PDEATHSIG), so a server that is killed outright leaves
no modbox behind; the sandbox's processes already end with the app.

It is started before its tab connects (a spare the server keeps ready, or one a page request
starts): it starts the sandbox and imports the app, then waits for the first packet on stdin,
the page's size (a ``resize`` meta packet, which the server sends first when the page connects),
so that the app starts at the size of the page. Textual's web driver would otherwise start at a
guessed size and could take the page's size before its own start-up size, ending at the wrong one.
Only then does it read what the learner sees (the file ``play`` opens, the progress, the
lessons), so a modbox that waited for minutes shows them as they are when its tab opens.

Its name (``/proc/PID/comm``, what ``ps`` and ``top`` show) says which it is: ``modbox waiting``
until its tab connects, ``modbox tab`` after.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys

WAITING, TAB = "modbox waiting", "modbox tab"


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


def _name(name: str) -> None:
    with contextlib.suppress(OSError):  # a name is a convenience: no /proc, no name
        with open("/proc/self/comm", "w") as f:
            f.write(name)


def main() -> int:
    _name(WAITING)
    from modbox.sandbox import privileges

    privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != os.environ.get("MODBOX_SERVE_PID"):
        return 1  # the server ended before the line above took effect
    from modbox.cli import build_parser

    args = build_parser().parse_args(sys.argv[1:])
    from modbox.ui import launch

    handler = launch.play if args.command == "play" else launch.learn  # what serve allows
    reads = launch.worker_reads(args)
    if reads is None:
        return 2
    factory = launch.start_worker(reads)
    import modbox.ui.app  # noqa: F401  (Textual and the app, before the page comes)
    import modbox.ui.learn_app  # noqa: F401

    size = wait_for_size()
    if size is None:
        return 0
    _name(TAB)
    os.environ["COLUMNS"], os.environ["ROWS"] = str(size[0]), str(size[1])
    return handler(args, sandbox_factory=factory)


if __name__ == "__main__":
    sys.exit(main())
