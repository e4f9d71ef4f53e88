"""The sandbox client: the app's side of the engine. It never imports torch.

One supervisor thread owns the zygote and every pipe. ``run()`` from any thread hands it a
request and waits; the newest request wins (the one in flight is killed at once and its caller
gets ``Superseded``). The thread streams output and events, enforces the wall clock (SIGINT,
then SIGKILL after a grace) and the output cap, restarts the zygote when it dies, and builds
the Report.

    >>> with Sandbox() as sb:                              # doctest: +SKIP
    ...     report = sb.run("print('hi')")
    >>> report.ok, report.stdout                           # doctest: +SKIP
    (True, 'hi\\n')
"""

from __future__ import annotations

import asyncio
import atexit
import codecs
import collections
import dataclasses
import fcntl
import gc
import itertools
import json
import os
import selectors
import signal
import socket
import subprocess
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from modbox.report import Error, Event, Report, Timing
from modbox.sandbox import outcome, protocol, scratch, tiers
from modbox.sandbox.limits import Limits
from modbox.sandbox.privileges import unprivileged_ids

GRACE_S = 0.5  # between SIGINT and SIGKILL at the wall-clock limit
PROGRESS_S = 0.05  # on_progress at most 20 times a second
DRAIN_S = 0.5  # after the exit report, wait this long at most for the pipes to close
EXIT_WAIT_S = 5.0  # after SIGKILL, the zygote must report the exit within this, or is restarted
READY_TIMEOUT_S = 60.0  # for the zygote to start, and for it to start a run it was sent
START_ATTEMPTS = 3  # consecutive failed zygote starts before runs fail with a "sandbox" error
RESULT_CAP = 256 << 20  # bytes on the result channel per run
LINE_CAP = 64 << 20
PIPE_BYTES = 1 << 20
_EVENT_FIELDS = {f.name for f in dataclasses.fields(Event)}


class Superseded(Exception):
    """The run was killed because a newer run replaced it, or it was cancelled."""


@dataclass
class Progress:
    """What a run produced since the last Progress (streamed while it is going)."""

    events: list[Event]
    stdout: str
    stderr: str
    elapsed_ms: float


class _Stream:
    """One output stream: keeps the first ``shown`` bytes, counts the rest."""

    def __init__(self, shown: int):
        self.kept = bytearray()
        self.total = 0
        self.shown = shown
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._new: list[str] = []

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.shown - len(self.kept)
        if room > 0:
            part = data[:room]
            self.kept += part
            self._new.append(self._decoder.decode(part))

    def take_new(self) -> str:
        text, self._new = "".join(self._new), []
        return text

    def text(self) -> str:
        return self.kept.decode("utf-8", "replace")

    @property
    def dropped(self) -> int:
        return self.total - len(self.kept)


@dataclass(eq=False)
class _Run:
    id: int
    source: str
    filename: str
    limits: Limits
    on_progress: Callable[[Progress], None] | None
    on_done: Callable[[_Run], None] | None
    submitted: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    report: Report | None = None
    exc: BaseException | None = None
    # Owned by the supervisor thread once sent:
    scratch: Path | None = None
    fds: dict[int, str] = field(default_factory=dict)
    out: _Stream | None = None
    err: _Stream | None = None
    res_parts: list[bytes] = field(default_factory=list)  # an unfinished line
    res_pending: int = 0
    res_total: int = 0
    res_skipping: bool = False
    events: list[Event] = field(default_factory=list)
    new_events: list[Event] = field(default_factory=list)
    events_received: int = 0
    result: dict | None = None
    exit: dict | None = None
    pid: int | None = None  # set when the zygote says it started the run
    resent: bool = False
    sent_at: float = 0.0
    started_at: float | None = None  # the wall clock runs from here: a busy zygote costs no time
    stopped: str | None = None  # timeout, output_limit, zygote_died
    kill_at: float | None = None
    killed_at: float | None = None
    exit_at: float | None = None
    last_progress: float = 0.0


class Sandbox:
    """Runs learner code out of process: warm, limited, isolated. See the module docstring."""

    def __init__(self, tier: str | None = None, limits: Limits | None = None):
        choice = tiers.choose(tier)
        self._tier = choice.tier
        self.tier_reasons: dict[str, str] = choice.reasons
        self.limits = (limits or Limits()).checked()
        self._flags = tiers.run_flags(self._tier)
        self._owner = unprivileged_ids() if tiers.is_root() else None
        self.restarts = 0
        self.zygote_pid: int | None = None  # the host pid of the zygote (bwrap's, in that tier)
        self.last_start_ms: float | None = None  # how long the last zygote start took
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pending: _Run | None = None
        self._cancel: set[int] = set()  # ids to cancel; 0 means whatever is in flight
        self._closing = False
        self._broken = ""  # why the supervisor stopped, if an error of modbox's own stopped it
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        # Owned by the supervisor thread:
        self._current: _Run | None = None
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._zygote_ready = False
        self._spawned_at = 0.0
        self._failures = 0
        self._log: collections.deque[bytes] = collections.deque(maxlen=64)
        self._abandoned: dict[int, Path] = {}  # run id -> scratch, removed when its exit comes

    # -- public API ------------------------------------------------------------------------------

    @property
    def tier(self) -> str:
        return self._tier

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> None:
        """Start the zygote in the background (returns at once)."""
        with self._lock:
            if self._closing:
                raise RuntimeError("this Sandbox is closed")
            if self._thread is not None:
                return
            scratch.remove_stale()
            self._thread = threading.Thread(
                target=self._supervise, name="modbox-sandbox", daemon=True
            )
            self._thread.start()
            _open_sandboxes.add(self)

    def wait_ready(self, timeout: float | None = None) -> bool:
        self.start()
        return self._ready.wait(timeout)

    def run(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Report:
        """Run ``source`` and return its Report. Raises Superseded if a newer run replaced it."""
        run = self._submit(source, filename, timeout, limits, on_progress, None)
        run.done.wait()
        if run.exc is not None:
            raise run.exc
        return run.report

    async def run_async(
        self,
        source: str,
        filename: str = "main.py",
        timeout: float | None = None,
        limits: Limits | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Report:
        """Like run(); on_progress is called on the event loop's thread."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def settle(run: _Run) -> None:
            if not future.done():
                if run.exc is not None:
                    future.set_exception(run.exc)
                else:
                    future.set_result(run.report)

        def done(run: _Run) -> None:
            _call_soon(loop, settle, run)

        progress = None
        if on_progress is not None:
            progress = lambda p: _call_soon(loop, on_progress, p)  # noqa: E731
        run = self._submit(source, filename, timeout, limits, progress, done)
        try:
            return await future
        except asyncio.CancelledError:
            self._cancel_run(run.id)
            raise

    def cancel(self) -> None:
        """Kill the run in flight; its caller gets Superseded."""
        self._cancel_run(0)

    def close(self) -> None:
        """Kill the run and the zygote; nothing of this Sandbox is left running afterwards."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            pending, self._pending = self._pending, None
            thread = self._thread
        if pending is not None:
            _complete(pending, exc=Superseded())
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if thread is None:
            self._close_wake_pipe()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- requests (any thread) -------------------------------------------------------------------

    def _submit(self, source, filename, timeout, limits, on_progress, on_done) -> _Run:
        if not isinstance(source, str):
            raise TypeError("source must be a str")
        chosen = dataclasses.replace(limits or self.limits)
        if timeout is not None:
            chosen.wall = timeout
        run = _Run(next(self._ids), source, filename, chosen.checked(), on_progress, on_done)
        self.start()
        with self._lock:
            if self._closing:
                raise RuntimeError("this Sandbox is closed")
            broken = bool(self._broken)
            if not broken:
                older, self._pending = self._pending, run
                self._failures = min(self._failures, START_ATTEMPTS - 1)  # a new run tries again
        if broken:
            _complete(run, report=self._broken_report())
            return run
        if older is not None:
            _complete(older, exc=Superseded())
        self._wake()
        return run

    def _cancel_run(self, run_id: int) -> None:
        with self._lock:
            pending = self._pending
            if pending is not None and run_id in (0, pending.id):
                self._pending = None
            else:
                pending = None
            self._cancel.add(run_id)
        if pending is not None:
            _complete(pending, exc=Superseded())
        self._wake()

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass

    def _close_wake_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    # -- the supervisor thread -------------------------------------------------------------------

    def _supervise(self) -> None:
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        try:
            while True:
                with self._lock:
                    if self._closing:
                        break
                    cancel, self._cancel = self._cancel, set()
                current = self._current
                if current is not None and (0 in cancel or current.id in cancel):
                    self._abandon(current)
                if self._proc is None and self._failures < START_ATTEMPTS:
                    self._spawn()
                self._maybe_send()
                for key, _ in self._sel.select(self._select_timeout()):
                    if self._sel.get_map().get(key.fd) is not key:
                        continue  # unregistered by an earlier event of this batch (a death)
                    kind, what = key.data
                    if kind == "wake":
                        _drain(self._wake_r)
                    elif kind == "sock":
                        self._on_zygote_message()
                    elif kind == "log":
                        self._on_zygote_log()
                    elif kind == "run":
                        self._on_run_output(*what)
                self._tick()
        except Exception as exc:
            # A bug of modbox's own. Answer every run, now and later, with it: without the
            # supervisor they would wait forever.
            with self._lock:
                self._broken = f"{type(exc).__name__}: {exc}"
                pending, self._pending = self._pending, None
            if pending is not None:
                _complete(pending, report=self._broken_report())
        finally:
            self._shutdown()  # answers the run in flight

    def _broken_report(self) -> Report:
        error = Error(
            "sandbox",
            f"modbox's sandbox stopped after an internal error ({self._broken}). "
            "Restart modbox, and please report this.",
        )
        return Report(ok=False, error=error, sandbox=self._tier)

    def _maybe_send(self) -> None:
        with self._lock:
            run = self._pending
            if run is None:
                return
            if self._failures >= START_ATTEMPTS:
                self._pending = None
                failed = run
            elif self._zygote_ready:
                self._pending = None
                failed = None
            else:
                return
        if failed is not None:
            self._fail_to_start(failed)
            return
        if self._current is not None:
            self._abandon(self._current)
        self._send(run)

    def _fail_to_start(self, run: _Run) -> None:
        last = b"".join(self._log).decode(errors="replace").strip().splitlines()
        why = last[-1] if last else "it exited before it was ready"
        error = Error(
            "sandbox",
            f"The sandbox could not start ({why}). Run `modbox doctor` to see what is missing.",
        )
        report = Report(ok=False, error=error, sandbox=self._tier)
        report.timing.total = (time.monotonic() - run.submitted) * 1000
        _complete(run, report=report)

    def _send(self, run: _Run) -> None:
        run.scratch = scratch.make(self._owner)
        run.out = _Stream(run.limits.output_shown)
        run.err = _Stream(run.limits.output_shown)
        ends = []
        for name in ("out", "err", "res"):
            r, w = os.pipe2(os.O_CLOEXEC)
            os.set_blocking(r, False)
            if name == "res":
                _grow_pipe(w)
            run.fds[r] = name
            ends.append(w)
        chunks = protocol.source_chunks(run.source)
        msg = {
            "t": "run",
            "id": run.id,
            "filename": run.filename,
            "scratch": str(run.scratch),
            "limits": run.limits.for_child(),
            "chunks": len(chunks),
            **self._flags,
        }
        try:
            protocol.send(self._sock, msg, ends)
            for chunk in chunks:
                protocol.send(self._sock, {"t": "chunk", "data": chunk})
        except OSError:
            self._current = run
            self._zygote_died()  # puts the run back: it goes out again after the restart
            return
        finally:
            for w in ends:
                os.close(w)
        for fd in run.fds:
            self._sel.register(fd, selectors.EVENT_READ, ("run", (run, fd)))
        run.sent_at = run.last_progress = time.monotonic()
        self._current = run

    def _select_timeout(self) -> float | None:
        now = time.monotonic()
        times = []
        run = self._current
        if run is not None:
            if run.stopped is None:
                times.append(self._deadline(run))
            if run.kill_at is not None and run.killed_at is None:
                times.append(run.kill_at)
            if run.killed_at is not None and run.exit is None:
                times.append(run.killed_at + EXIT_WAIT_S)
            if run.exit_at is not None:
                times.append(run.exit_at + DRAIN_S)
            if run.on_progress is not None:
                times.append(run.last_progress + PROGRESS_S)
        if self._proc is not None and not self._zygote_ready:
            times.append(self._spawned_at + READY_TIMEOUT_S)
        return max(0.0, min(times) - now) if times else None

    def _tick(self) -> None:
        now = time.monotonic()
        if self._proc is not None and not self._zygote_ready:
            if now > self._spawned_at + READY_TIMEOUT_S:
                self._log.append(b"the zygote did not get ready in time\n")
                self._zygote_died()
                return
        run = self._current
        if run is None:
            return
        if run.started_at is None and now >= self._deadline(run):
            self._log.append(b"the zygote did not start a run in time\n")
            self._zygote_died()
            return
        if run.stopped is None and now >= self._deadline(run):
            run.stopped = "timeout"
            run.kill_at = now + GRACE_S
            self._signal(run, signal.SIGINT)
        if run.kill_at is not None and run.killed_at is None and now >= run.kill_at:
            self._kill(run)
        if run.killed_at is not None and run.exit is None and now > run.killed_at + EXIT_WAIT_S:
            self._log.append(b"the zygote did not report a killed run\n")
            self._zygote_died()
            return
        if run.on_progress is not None and now - run.last_progress >= PROGRESS_S:
            self._progress(run, now)
        if run.exit is not None and (not run.fds or now >= run.exit_at + DRAIN_S):
            self._finish(run)

    @staticmethod
    def _deadline(run: _Run) -> float:
        """When the run's wall clock runs out; before it started, when the zygote is given up on."""
        if run.started_at is None:
            return run.sent_at + READY_TIMEOUT_S
        return run.started_at + run.limits.wall

    def _signal(self, run: _Run, sig: int) -> None:
        try:
            protocol.send(self._sock, {"t": "signal", "id": run.id, "sig": int(sig)})
        except OSError:
            pass  # the zygote is gone; its death is noticed on the socket

    def _kill(self, run: _Run) -> None:
        run.killed_at = time.monotonic()
        self._signal(run, signal.SIGKILL)

    # -- zygote ----------------------------------------------------------------------------------

    def _spawn(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        theirs.set_inheritable(True)
        command = tiers.python_command([str(theirs.fileno()), str(os.getpid())])
        spec = tiers.zygote_spec(self._tier, command, scratch.base_dir())
        self._spawned_at = time.monotonic()
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
            self._log.append(f"could not start the zygote: {e}\n".encode())
            self._failures += 1
            return
        finally:
            theirs.close()
        self._proc = proc
        self.zygote_pid = proc.pid
        self._sock = ours
        os.set_blocking(proc.stderr.fileno(), False)
        self._sel.register(ours, selectors.EVENT_READ, ("sock", None))
        self._sel.register(proc.stderr, selectors.EVENT_READ, ("log", None))

    def _on_zygote_message(self) -> None:
        try:
            msg, fds = protocol.recv(self._sock)
        except (OSError, ValueError):
            msg, fds = None, []
        for fd in fds:
            os.close(fd)
        if msg is None:
            self._zygote_died()
            return
        kind = msg.get("t")
        if kind == "ready":
            self._zygote_ready = True
            self._failures = 0
            self.last_start_ms = (time.monotonic() - self._spawned_at) * 1000
            self._ready.set()
        elif kind == "started":
            run = self._current
            if run is not None and run.id == msg.get("id"):
                run.pid = msg.get("pid")
                run.started_at = time.monotonic()
        elif kind == "exit":
            run = self._current
            if run is not None and run.id == msg.get("id"):
                run.exit = msg
                run.exit_at = time.monotonic()
            elif msg.get("id") in self._abandoned:
                scratch.remove(self._abandoned.pop(msg["id"]))

    def _on_zygote_log(self) -> None:
        try:
            data = os.read(self._proc.stderr.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._log.append(data[-4096:])
        else:
            self._sel.unregister(self._proc.stderr)

    def _zygote_died(self) -> None:
        """Kill what is left of the zygote, end the run in flight, and let the loop restart it."""
        was_ready = self._zygote_ready
        proc, sock = self._proc, self._sock
        self._proc, self._sock, self._zygote_ready = None, None, False
        self._ready.clear()
        if sock is not None:
            self._unregister(sock)
            sock.close()
        if proc is not None:
            self._unregister(proc.stderr)
            _kill_group(proc.pid)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            proc.stderr.close()
        run = self._current
        if run is not None and run.pid is None and not run.resent:
            # The zygote died before it started this run (killed from outside, say): send it
            # again to the next zygote, once, unless a newer run is waiting anyway.
            self._current = None
            self._close_run_fds(run)
            scratch.remove(run.scratch)
            run.resent = True
            with self._lock:
                newer, self._pending = self._pending, self._pending or run
            if newer is not None:
                _complete(run, exc=Superseded())
        elif run is not None:
            if self._tier != "bwrap" and run.pid:
                _kill_group(run.pid)  # the run child died with the zygote; its group may not have
            run.stopped = run.stopped or "zygote_died"
            self._finish(run)
        for path in self._abandoned.values():
            scratch.remove(path)
        self._abandoned.clear()
        if was_ready:
            self.restarts += 1
        else:
            self._failures += 1

    # -- run output ------------------------------------------------------------------------------

    def _on_run_output(self, run: _Run, fd: int) -> None:
        name = run.fds.get(fd)
        if name is None:
            return
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._unregister(fd)
                os.close(fd)
                del run.fds[fd]
                return
            if name == "res":
                self._on_result_bytes(run, data)
            else:
                (run.out if name == "out" else run.err).feed(data)
                printed = run.out.total + run.err.total
                if printed > run.limits.output_kill and run.stopped is None:
                    run.stopped = "output_limit"
                    self._kill(run)

    def _on_result_bytes(self, run: _Run, data: bytes) -> None:
        run.res_total += len(data)
        if run.res_total > RESULT_CAP:
            return
        lines = data.split(b"\n")
        if len(lines) == 1:
            run.res_parts.append(data)
            run.res_pending += len(data)
            if run.res_pending > LINE_CAP:  # a line this long is not ours: skip to its end
                run.res_parts, run.res_pending, run.res_skipping = [], 0, True
            return
        if run.res_skipping:
            lines[0] = b""
        elif run.res_parts:
            lines[0] = b"".join(run.res_parts) + lines[0]
        tail = lines.pop()
        run.res_parts, run.res_pending, run.res_skipping = [tail] if tail else [], len(tail), False
        for line in lines:
            if line:
                self._on_result_line(run, line)

    def _on_result_line(self, run: _Run, line: bytes) -> None:
        # A batch is a thousand small dicts and Events: let the cyclic garbage collector wait
        # until it is built. Otherwise collections over the run's growing event list cost more
        # than the parsing (300k events: 10 s instead of 1).
        enabled = gc.isenabled()
        gc.disable()
        try:
            msg = json.loads(line)
            if isinstance(msg, dict):
                self._on_result_message(run, msg)
        except ValueError:
            pass  # learner code wrote junk on fd 3: ignore it, the real result still comes
        finally:
            if enabled:
                gc.enable()

    def _on_result_message(self, run: _Run, msg: dict) -> None:
        kind = msg.get("t")
        if kind == "ev":
            items = msg.get("items")
            if not isinstance(items, list):
                return
            room = run.limits.max_events - len(run.events)
            run.events_received += len(items)
            events = [e for e in map(_event, items[: max(room, 0)]) if e is not None]
            run.events += events
            run.new_events += events
        elif kind in ("result", "sandbox_error"):
            run.result = msg

    def _progress(self, run: _Run, now: float) -> None:
        run.last_progress = now
        out, err = run.out.take_new(), run.err.take_new()
        if not (out or err or run.new_events):
            return
        events, run.new_events = run.new_events, []
        progress = Progress(events, out, err, (now - run.sent_at) * 1000)
        try:
            run.on_progress(progress)
        except Exception:
            run.on_progress = None  # a broken callback must not take the engine down

    def _finish(self, run: _Run) -> None:
        self._close_run_fds(run)
        now = time.monotonic()
        if run.on_progress is not None:
            self._progress(run, now)
        if run.res_parts and not run.res_skipping:
            self._on_result_line(run, b"".join(run.res_parts))
        exit_ = run.exit or {}
        result = run.result
        stderr = run.err.text()
        if result is not None and result.get("probe_error"):
            # modbox's own inspector failed, not the learner's code: say so where they look.
            why = result["probe_error"]
            stderr += f"[modbox] the inspector failed, so no models are shown: {why}\n"
        error = outcome.error_for(
            result, exit_.get("code"), exit_.get("cpu_s", 0.0), run.stopped, stderr,
            run.limits, run.filename,
        )
        report = Report(
            ok=error is None,
            error=error,
            stdout=run.out.text(),
            stderr=stderr,
            stdout_dropped=run.out.dropped,
            stderr_dropped=run.err.dropped,
            events=run.events,
            sandbox=self._tier,
        )
        if result is not None and result.get("t") == "result":
            try:
                report.models = Report.from_dict({"models": result.get("models") or []}).models
            except (TypeError, ValueError, AttributeError, KeyError):
                report.models = []
            total = result.get("events_total")
            report.events_total = total if isinstance(total, int) else run.events_received
        else:
            report.events_total = run.events_received
        report.events_total = max(report.events_total, len(run.events))
        report.events_dropped = report.events_total - len(run.events)
        run_ms = (result or {}).get("run_ms")
        report.timing = Timing(
            run=run_ms if isinstance(run_ms, (int, float)) else (now - run.sent_at) * 1000,
            total=(now - run.submitted) * 1000,
        )
        scratch.remove(run.scratch)
        self._current = None
        _complete(run, report=report)

    def _abandon(self, run: _Run, report: Report | None = None) -> None:
        """Kill the run in flight and answer its caller, without waiting: with ``report``, or
        Superseded."""
        self._kill(run)
        self._close_run_fds(run)
        self._abandoned[run.id] = run.scratch
        self._current = None
        _complete(run, report=report, exc=None if report is not None else Superseded())

    def _close_run_fds(self, run: _Run) -> None:
        for fd in list(run.fds):
            self._unregister(fd)
            os.close(fd)
        run.fds.clear()

    def _unregister(self, fileobj) -> None:
        try:
            self._sel.unregister(fileobj)
        except (KeyError, ValueError):
            pass

    def _shutdown(self) -> None:
        run = self._current
        if run is not None:
            self._abandon(run, self._broken_report() if self._broken else None)
        proc = self._proc
        if proc is not None:
            _kill_group(proc.pid)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            proc.stderr.close()
            self._proc = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        for path in self._abandoned.values():
            scratch.remove(path)
        self._abandoned.clear()
        self._ready.clear()
        self._sel.close()
        self._close_wake_pipe()


_open_sandboxes: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _close_open_sandboxes() -> None:
    """An app that forgot close() still leaves no zygote, run or scratch folder behind."""
    for sb in list(_open_sandboxes):
        sb.close()


def _complete(run: _Run, report: Report | None = None, exc: BaseException | None = None) -> None:
    run.report, run.exc = report, exc
    run.done.set()
    if run.on_done is not None:
        run.on_done(run)


def _event(item) -> Event | None:
    """An Event from the child's JSON: Report.from_dict's result for these flat records, built
    without calling __init__ (events arrive by the hundred thousand per second)."""
    if type(item) is not dict:
        return None
    if "class" in item:
        item["cls"] = item.pop("class")
    if not item.keys() <= _EVENT_FIELDS:
        item = {k: v for k, v in item.items() if k in _EVENT_FIELDS}  # from a newer producer
    if type(item.get("seq")) is not int or type(item.get("kind")) is not str:
        return None
    fields = _EVENT_DEFAULTS.copy()
    fields["inputs"], fields["outputs"], fields["detail"] = [], [], {}
    fields.update(item)
    event = _new(Event)
    event.__dict__ = fields
    return event


_new = object.__new__
_EVENT_DEFAULTS = {
    f.name: f.default for f in dataclasses.fields(Event) if f.default is not dataclasses.MISSING
}


def _grow_pipe(fd: int) -> None:
    """Room for many event batches in the pipe, so that the child keeps producing while the
    client parses (with the default 64 KiB, one batch fills it and the two take turns)."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        pass  # above /proc/sys/fs/pipe-max-size for this user: the default works, slower


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except (BlockingIOError, OSError):
        pass


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _call_soon(loop: asyncio.AbstractEventLoop, fn, arg) -> None:
    try:
        loop.call_soon_threadsafe(fn, arg)
    except RuntimeError:
        pass  # the loop is closed: nobody is waiting any more
