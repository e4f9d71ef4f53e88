"""The run child's process: forked from the zygote, it confines itself and runs the learner's code.

The zygote forks it ahead of time (``spare_main``): it leaves the app's session (setsid), dies
with the zygote (PDEATHSIG) and waits for its request, so that a run does not wait for a fork.
Then, in an order where each step has a reason (``_confine``):
  fds 0-3 only -> scrubbed environment -> nice -> rlimits measured against the memory already in
  use -> network namespace (needs root) -> uid drop when root -> user namespace (RLIMIT_NPROC then
  counts only this run) -> scratch dir (root may not enter nobody's) -> PDEATHSIG again (a
  credential change clears it) -> no new privileges -> Landlock -> faulthandler.
Then compile, exec under the probe, inspect, evaluate the expressions the request names (when
the program ran to the end), and one JSON "result" line on fd 3. The child sends
facts (exception type, line, traceback); the client turns them into the one-line messages
learners read (modbox/sandbox/host/outcome.py), so that text lives in one place.
"""

from __future__ import annotations

import builtins
import faulthandler
import io
import linecache
import math
import os
import resource
import signal
import socket
import sys
import tempfile
import time
import traceback
import types

from modbox.probe import Probe, evaluate
from modbox.sandbox import landlock, privileges, wire
from modbox.sandbox.child import sink as sink_module
from modbox.sandbox.child.sink import EventSink

RESULT_FD = 3
SANDBOX_FAILED = 121
_EMERGENCY = 4 << 20  # freed on MemoryError so that reporting it does not fail too
EVALUATE_MARGIN_S = 0.5  # a check's expressions stop this long before the wall clock would

ENV = {
    "LANG": "C.UTF-8",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}


def spare_main(line: socket.socket, zygote_pid: int) -> None:
    """A run child forked ahead of time: prepare what needs no request, then wait for one."""
    os.setsid()
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.set_wakeup_fd(-1)
    privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote_pid:
        os._exit(1)
    global _reserve
    _reserve = bytearray(_EMERGENCY)
    try:
        req, fds = wire.recv(line)
        if req is None:
            os._exit(0)
        req["source"] = wire.recv_source(line, req["chunks"])
    except (OSError, ValueError):
        os._exit(1)
    line.close()
    child_main(req, fds, zygote_pid)


def child_main(req: dict, fds: list[int], zygote_pid: int) -> None:
    """Never returns."""
    try:
        _confine(req, fds, zygote_pid)
    except BaseException as e:  # the sandbox itself failed: never run learner code half-confined
        try:
            why = "".join(traceback.format_exception_only(type(e), e)).strip()
            fd = RESULT_FD if _fds_in_place else fds[2]
            EventSink(fd, 0).send({"t": "sandbox_error", "why": why})
        finally:
            os._exit(SANDBOX_FAILED)
    os._exit(_run(req))


def _confine(req: dict, fds: list[int], zygote_pid: int) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for target, fd in zip((1, 2, RESULT_FD), fds):
        os.dup2(fd, target)
    os.closerange(RESULT_FD + 1, 1 << 16)
    global _fds_in_place
    _fds_in_place = True
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = _text_stream(1)
    sys.stderr = _text_stream(2)
    sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin

    scratch = req["scratch"]
    os.environ.clear()
    os.environ.update(ENV, HOME=scratch, TMPDIR=scratch)
    tempfile.tempdir = None  # the zygote's warm-up cached "/tmp": look again, and find TMPDIR
    os.nice(10)

    limits = req["limits"]
    _set_limit(resource.RLIMIT_DATA, _vm_data() + limits["memory_mb"] * (1 << 20))
    cpu = math.ceil(limits["cpu"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    _set_limit(resource.RLIMIT_FSIZE, limits["file_mb"] * (1 << 20))
    _set_limit(resource.RLIMIT_NOFILE, limits["open_files"])
    _set_limit(resource.RLIMIT_CORE, 0)
    if req["netns_before_drop"]:
        privileges.unshare(privileges.CLONE_NEWNET)
    if req["drop"]:
        uid, gid, keep_read = req["drop"]
        privileges.drop_root(uid, gid, keep_read)
    if req["unshare_after"]:
        # A fresh user namespace: RLIMIT_NPROC then counts only this run's processes.
        try:
            privileges.unshare(req["unshare_after"])
        except OSError:
            if not req["unshare_optional"]:
                raise
    if req["nproc"]:
        _set_limit(resource.RLIMIT_NPROC, limits["processes"])
    os.chdir(scratch)  # after the drop: in the bwrap tier root may not enter nobody's folder
    privileges.prctl(privileges.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote_pid:
        os._exit(1)
    privileges.prctl(privileges.PR_SET_NO_NEW_PRIVS, 1)
    if req["landlock"]:
        landlock.restrict(scratch)
    faulthandler.enable(file=sys.stderr, all_threads=True)


def _text_stream(fd: int) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", line_buffering=True)


def _vm_data() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _set_limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


_reserve: bytearray | None = None
_fds_in_place = False


def _run(req: dict) -> int:
    global _reserve
    filename = req["filename"]
    source = req["source"]
    sink = EventSink(RESULT_FD, req["limits"]["max_events"])
    sink_module.active = sink
    result: dict = {"t": "result", "outcome": "ok"}
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = [filename]
    namespace = main.__dict__

    started = time.monotonic()
    start = time.perf_counter()
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        result.update(_syntax_facts(e))
        code = None
    probe = Probe(filename, emit=sink.emit)
    if code is not None:
        probe.install()
        try:
            exec(code, namespace)
        except SystemExit as e:
            facts = _exception_facts(e, filename)
            code_ = e.code if isinstance(e.code, (int, str, type(None))) else repr(e.code)
            result.update(outcome="exit", exit_code=code_, line=facts["line"])
        except BaseException as e:
            if isinstance(e, MemoryError):
                _reserve = None
            result.update(_exception_facts(e, filename))
        finally:
            probe.uninstall()
    result["run_ms"] = (time.perf_counter() - start) * 1000
    if os.getpid() != sink.pid:
        # A process the learner forked reached the end of the program: only the run child reports.
        _flush_streams()
        os._exit(0)
    try:
        result["models"] = probe.inspect(namespace)
    except BaseException as e:
        _reserve = None
        result["models"] = []
        result["probe_error"] = "".join(traceback.format_exception_only(type(e), e)).strip()
    if result["outcome"] == "ok" and req.get("evaluate"):
        # After the inspection, so that the models are described as the program left them
        deadline = started + req["wall"] - EVALUATE_MARGIN_S
        result["values"] = evaluate.evaluate(namespace, req["evaluate"], deadline)
    _flush_streams()
    sink.flush()
    result["events_total"] = sink.total
    result["events_dropped"] = sink.dropped
    sink.send(result)
    return 0


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _syntax_facts(e: BaseException) -> dict:
    if isinstance(e, SyntaxError):
        return {
            "outcome": "syntax",
            "exc_type": type(e).__name__,
            "exc_msg": e.msg or "",
            "line": e.lineno,
            "column": e.offset,
            "traceback": "".join(traceback.format_exception_only(type(e), e)),
        }
    return {"outcome": "syntax", "exc_type": type(e).__name__, "exc_msg": str(e), "line": None}


def _exception_facts(e: BaseException, filename: str) -> dict:
    te = traceback.TracebackException.from_exception(e)
    _trim(te, filename, set())
    line = te.stack[-1].lineno if te.stack else None
    text = str(e)
    return {
        "outcome": "exception",
        "exc_type": type(e).__name__,
        "exc_msg": text[:2000],  # the client makes it one line
        "line": line,
        "traceback": "".join(te.format()),
        "memory": isinstance(e, MemoryError) or "can't allocate memory" in text,
        "errno": getattr(e, "errno", None) if isinstance(e, OSError) else None,
    }


def _trim(te: traceback.TracebackException, filename: str, seen: set[int]) -> None:
    """Keep only the frames of the learner's own file, in every chained exception too."""
    if id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename == filename])
    for chained in (te.__cause__, te.__context__):
        if chained is not None:
            _trim(chained, filename, seen)
