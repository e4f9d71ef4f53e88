"""Messages between the sandbox client and the zygote: one JSON object per SEQPACKET message.

Used by both sides, so it sits above host/ and child/: the app's process sends and receives with it
(host/zygote_process.py, host/supervisor.py), and so do the zygote and the run child
(child/zygote.py, child/run_child.py).

A SEQPACKET socket keeps message boundaries, so file descriptors sent with a message (SCM_RIGHTS)
arrive with exactly that message. Learner source can be larger than one packet, so a ``run``
request announces how many ``chunk`` packets follow it. Never pickle: the zygote's side runs
learner code, and unpickling data from it would run code in the app.
"""

from __future__ import annotations

import json
import socket

PACKET = 60_000  # bytes per message, well under the default socket buffer
MAX_FDS = 8


def send(sock: socket.socket, msg: dict, fds: list[int] = ()) -> None:
    data = json.dumps(msg, separators=(",", ":")).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def recv(sock: socket.socket) -> tuple[dict | None, list[int]]:
    """The next message and the fds that came with it; (None, []) when the peer is gone."""
    data, fds, _flags, _addr = socket.recv_fds(sock, PACKET + 1024, MAX_FDS)
    if not data:
        for fd in fds:
            _close(fd)
        return None, []
    return json.loads(data), fds


def recv_source(sock: socket.socket, chunks: int) -> str:
    parts = []
    for _ in range(chunks):
        msg, _fds = recv(sock)
        if msg is None:
            raise ConnectionError("the sender went away in the middle of a run request")
        parts.append(msg["data"])
    return "".join(parts)


def source_chunks(source: str) -> list[str]:
    return [source[i : i + PACKET // 4] for i in range(0, len(source), PACKET // 4)] or [""]


def _close(fd: int) -> None:
    import os

    try:
        os.close(fd)
    except OSError:
        pass
