"""``ZygoteProcess``: the app's handle on the zygote process (which runs child/zygote.py): started inside its tier's wrapper, spoken to over
a SEQPACKET socket, its stderr kept as a short log for the error a failed start shows."""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import time

from modbox.sandbox import wire
from modbox.sandbox.host import scratch, tiers


class ZygoteProcess:
    """One zygote at a time: ``spawn()`` starts it, ``stop()`` kills it and all it forked."""

    def __init__(self, tier: str):
        self.tier = tier
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.ready = False
        self.spawned_at = 0.0
        self.pid: int | None = None  # the host pid of the zygote (bwrap's, in that tier)
        self.last_start_ms: float | None = None  # how long the last start took
        self.log: collections.deque[bytes] = collections.deque(maxlen=64)

    def spawn(self) -> bool:
        """Start a zygote; False (with the reason in the log) when it could not be started."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        theirs.set_inheritable(True)
        command = tiers.python_command([str(theirs.fileno()), str(os.getpid())])
        spec = tiers.zygote_spec(self.tier, command, scratch.base_dir())
        self.spawned_at = time.monotonic()
        try:
            proc = subprocess.Popen(
                spec.argv,
                env=spec.env,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, away from the app's terminal
                cwd="/",
            )
        except OSError as e:
            ours.close()
            self.log.append(f"could not start the zygote: {e}\n".encode())
            return False
        finally:
            theirs.close()
        self.proc = proc
        self.pid = proc.pid
        self.sock = ours
        os.set_blocking(proc.stderr.fileno(), False)
        return True

    def became_ready(self) -> None:
        self.ready = True
        self.last_start_ms = (time.monotonic() - self.spawned_at) * 1000

    def receive(self) -> dict | None:
        """The zygote's next message; None when it is gone (or sent what is not a message)."""
        try:
            msg, fds = wire.recv(self.sock)
        except (OSError, ValueError):
            msg, fds = None, []
        for fd in fds:
            os.close(fd)
        return msg

    def read_log(self) -> bool:
        """Keep what the zygote wrote on stderr; False once that pipe is closed."""
        try:
            data = os.read(self.proc.stderr.fileno(), 65536)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if data:
            self.log.append(data[-4096:])
            return True
        return False

    def last_log_line(self) -> str:
        last = b"".join(self.log).decode(errors="replace").strip().splitlines()
        return last[-1] if last else "it exited before it was ready"

    def send(self, msg: dict, fds: list[int] | tuple[int, ...] = ()) -> None:
        wire.send(self.sock, msg, fds)

    def signal(self, run_id: int, sig: int) -> None:
        try:
            wire.send(self.sock, {"t": "signal", "id": run_id, "sig": int(sig)})
        except OSError:
            pass  # the zygote is gone; its death is noticed on the socket

    def stop(self) -> None:
        """Close the socket, kill the zygote's process group and wait for it."""
        proc, sock = self.proc, self.sock
        self.proc, self.sock, self.ready = None, None, False
        if sock is not None:
            sock.close()
        if proc is not None:
            kill_group(proc.pid)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            proc.stderr.close()


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
