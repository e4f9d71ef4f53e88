"""The zygote's process (its main program and the one ``Zygote`` class): imports torch once, then
forks one run child per request.

Started by the client as ``python -I -c BOOT ROOT SOCKET_FD CLIENT_PID`` (``python_command`` in
host/tiers.py: BOOT puts ROOT, the folder holding modbox, first on ``sys.path`` and calls ``main``
here; wrapped in bwrap for that tier). torch is pinned to one thread before any tensor op: a
forked child of a process that used the two-thread OpenMP pool hangs on its first parallel op. After each run the
zygote kills whatever the run left behind (it is the subreaper, or the PID namespace's init)
before it reports the exit, so that a reported exit means nothing of that run remains.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import os
import selectors
import signal
import socket
import sys
import time
import warnings

from modbox.sandbox import privileges, wire

SWEEP_S = 2.0
_MADV_COLLAPSE = 25
IDLE_BEFORE_WARM_S = 0.5  # after the first run: a run sent just after it goes first
BOMB_S = 0.2  # sweeping longer than this in a PID namespace: kill everything at once


def main(argv: list[str]) -> None:
    sock = socket.socket(fileno=int(argv[0]))
    client_pid = int(argv[1])
    in_pid_namespace = os.getpid() == 1
    if not in_pid_namespace:
        privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != client_pid:
            return
        privileges.prctl(privileges.PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    started = time.perf_counter()
    _import_torch()
    from modbox.sandbox.child import run_child

    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    zygote = Zygote(sock, wake_r, in_pid_namespace, run_child.spare_main)
    zygote._fork_spare()
    wire.send(sock, {"t": "ready", "import_ms": (time.perf_counter() - started) * 1000})
    zygote.serve()


def _import_torch() -> None:
    warnings.filterwarnings("ignore", message=r".*NumPy.*")
    import torch

    torch.set_num_threads(1)
    import torch.nn.functional  # noqa: F401  (the learner's usual imports, paid once here)
    import torch.optim  # noqa: F401
    import torch.utils.data  # noqa: F401

    import modbox.probe

    # Patched once here, switched on by each run child for its run: patching costs a child more
    # than it costs the zygote, because every page it writes is copied.
    modbox.probe.install_resident()
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.LayerNorm(16), torch.nn.Linear(16, 2)
    )
    model(torch.randn(4, 8)).sum().backward()
    del model
    # Objects that exist now are never collected in a run child: its garbage collector then
    # does not write to (and so copy) the zygote's pages, which makes runs and exits cheaper.
    # A full collection first, and the huge pages, cost half a second that the first result
    # would wait for: the warm-up after the first run does them.
    gc.freeze()


def _collapse_to_huge_pages() -> None:
    """Back the zygote's private memory (140 MB after import torch) with 2 MiB pages.

    fork() copies, and a run child's exit tears down, one page-table entry per 4 KiB page:
    35,000 of them, most of a run's cost. With huge pages that is 512 times fewer entries; a
    child that writes to one still copies only 4 KiB of it. MADV_COLLAPSE (Linux 6.1) works
    even where transparent huge pages are only used on request; elsewhere this does nothing.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    huge = 2 << 20
    with open("/proc/self/maps") as f:
        regions = [line.split() for line in f]
    for fields in regions:
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        lo, hi = (lo + huge - 1) & ~(huge - 1), hi & ~(huge - 1)
        if hi - lo >= huge and libc.madvise(lo, hi - lo, _MADV_COLLAPSE) != 0:
            if ctypes.get_errno() == errno.EINVAL:
                return  # this kernel has no MADV_COLLAPSE


class Zygote:
    def __init__(self, sock: socket.socket, wake_r: int, in_pid_namespace: bool, child_main):
        self.sock = sock
        self.wake_r = wake_r
        self.in_pid_namespace = in_pid_namespace
        self.child_main = child_main
        self.run: dict | None = None  # {"id", "pid", "status"}
        self.spare: tuple[int, socket.socket] | None = None  # (pid, socket) of the next child
        self.runs_ended = 0

    def serve(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, "sock")
        sel.register(self.wake_r, selectors.EVENT_READ, "wake")
        warmed = False
        while True:
            # The warm-up waits for the end of the first run: the learner's first result is the
            # one they wait for, and it must never queue behind seconds of imports.
            idle = not warmed and self.runs_ended > 0 and self.run is None
            ready = sel.select(timeout=IDLE_BEFORE_WARM_S if idle else None)
            if idle and not ready:
                self._warm_rare_paths()
                warmed = True
                continue
            for key, _ in ready:
                if key.data == "wake":
                    try:
                        os.read(self.wake_r, 4096)
                    except BlockingIOError:
                        pass
                    self._reap()
                else:
                    msg, fds = wire.recv(self.sock)
                    if msg is None:
                        self._end_run(signal.SIGKILL)
                        return
                    self._handle(msg, fds)

    def _warm_rare_paths(self) -> None:
        """Pay once, in the first idle moment after the first run, for imports a run would pay
        each time, and make every later run's fork and exit cheaper (a full collection, then
        huge pages).

        A process's first optimizer imports torch._dynamo: about 800 modules, as long as
        ``import torch`` itself, inside the learner's time limit. Doing it before "ready" would
        double the zygote's start-up, and before the first run it would delay the first result.
        A run sent meanwhile waits, but its wall clock starts only when the zygote starts it (the
        client times runs from "started").
        """
        import torch

        # That import makes (or finds) a cache folder under the temp folder, and the zygote may
        # have nowhere to write (bwrap: read-only root): name one that exists. Runs clear the
        # environment and find their own under their scratch folder.
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", os.getcwd())
        try:
            weight = torch.zeros(1, requires_grad=True)
            torch.optim.SGD([weight], lr=0.1).step()
            del weight
        except Exception as e:  # never fatal: runs then pay the import themselves
            print(f"modbox zygote: warm-up skipped: {e}", file=sys.stderr)
        gc.unfreeze()  # the objects frozen at start-up, garbage among them, are collected too
        gc.collect()
        gc.freeze()
        _collapse_to_huge_pages()
        if self.spare is not None:  # forked before the warm-up: replace it with one that has it
            pid, line = self.spare
            self.spare = None
            line.close()
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self._fork_spare()

    def _handle(self, msg: dict, fds: list[int]) -> None:
        kind = msg["t"]
        if kind == "run":
            msg["source"] = wire.recv_source(self.sock, msg["chunks"])
            self._end_run(signal.SIGKILL)
            self._start(msg, fds)
        elif kind == "signal" and self.run and self.run["id"] == msg["id"]:
            _killpg(self.run["pid"], msg["sig"])

    def _start(self, req: dict, fds: list[int]) -> None:
        if self.spare is None:
            self._fork_spare()
        pid, line = self.spare
        self.spare = None
        try:
            chunks = wire.source_chunks(req.pop("source"))
            wire.send(line, {**req, "chunks": len(chunks)}, fds)
            for chunk in chunks:
                wire.send(line, {"t": "chunk", "data": chunk})
        finally:
            line.close()
            for fd in fds:
                os.close(fd)
        self.run = {"id": req["id"], "pid": pid, "status": None}
        wire.send(self.sock, {"t": "started", "id": req["id"], "pid": pid})
        self._fork_spare()  # while the run goes, so that the next one need not wait for a fork

    def _fork_spare(self) -> None:
        """Fork the next run child now; it waits for its request on a socket of its own."""
        if len(os.listdir("/proc/self/task")) != 1:
            # Forking a multi-threaded zygote can hang the child: let the client restart us.
            wire.send(self.sock, {"t": "fatal", "why": "the zygote has more than one thread"})
            sys.exit(3)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            self.sock.close()
            os.close(self.wake_r)
            ours.close()
            try:
                self.child_main(theirs, me)
            finally:
                os._exit(70)  # a run child must never return into the zygote's loop
        theirs.close()
        self.spare = (pid, ours)

    def _end_run(self, sig: int) -> None:
        """Kill the run in flight (if any) and wait until it is gone and swept."""
        if self.run is None:
            return
        _killpg(self.run["pid"], sig)
        while self.run is not None:
            self._reap(block=True)

    def _reap(self, block: bool = False) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.spare is not None and pid == self.spare[0]:
                self.spare[1].close()
                self.spare = None
            if self.run is not None and pid == self.run["pid"]:
                self._finish(status, usage)
                return

    def _finish(self, status: int, usage) -> None:
        run, self.run = self.run, None
        self.runs_ended += 1
        leftovers = self._sweep(run["pid"])
        if self.spare is None:
            self._fork_spare()  # the sweep of a fork bomb may have taken the spare with it
        wire.send(
            self.sock,
            {
                "t": "exit",
                "id": run["id"],
                "code": os.waitstatus_to_exitcode(status),
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "maxrss_kb": usage.ru_maxrss,
                "leftovers": leftovers,
            },
        )

    def _sweep(self, run_pid: int) -> int:
        """Kill every process the run left behind. Returns how many could not be killed.

        Orphans of the run are re-parented to the zygote (it is the subreaper, or the PID
        namespace's init), so killing our children other than the spare, until there are none,
        reaches them all. If they fork faster than that (a fork bomb), a PID namespace's init
        can end them at once with kill(-1), which there reaches only the sandbox.
        """
        _killpg(run_pid, signal.SIGKILL)
        started = time.monotonic()
        while True:
            spare = self.spare[0] if self.spare else None
            kids = [pid for pid in _children() if pid != spare]
            if not kids:
                return 0
            waited = time.monotonic() - started
            if self.in_pid_namespace and waited > BOMB_S:
                try:
                    os.kill(-1, signal.SIGKILL)  # we are this namespace's init: only the sandbox
                except ProcessLookupError:
                    pass
            for pid in kids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._reap()  # the run is over (self.run is None): this only collects orphans
            if waited > SWEEP_S:
                return len(kids)
            time.sleep(0.001)


def _children() -> list[int]:
    pids: list[int] = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return pids


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
