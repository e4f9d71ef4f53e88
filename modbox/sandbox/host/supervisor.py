"""The supervisor thread, in the app's process: one thread owns the zygote and every pipe of the run in flight.

Requests come from any thread (``submit``, ``cancel``, ``close``) under a lock and wake the
thread through a pipe; the newest request wins (the run in flight is killed at once and its
caller gets ``Superseded``). The thread streams output and events, enforces the wall clock
(SIGINT, then SIGKILL after a grace) and the output cap, restarts the zygote when it dies, and
answers each run with its Report.
"""

from __future__ import annotations

import os
import selectors
import signal
import threading
import time
from pathlib import Path

from modbox.report import Report
from modbox.sandbox import wire
from modbox.sandbox.host import reporting, scratch, tiers
from modbox.sandbox.host.api import Progress, Superseded
from modbox.sandbox.host.framing import OutputStream, drain, grow_pipe
from modbox.sandbox.privileges import unprivileged_ids
from modbox.sandbox.host.runs import Run, complete
from modbox.sandbox.host.zygote_process import ZygoteProcess, kill_group

GRACE_S = 0.5  # between SIGINT and SIGKILL at the wall-clock limit
PROGRESS_S = 0.05  # on_progress at most 20 times a second
DRAIN_S = 0.5  # after the exit report, wait this long at most for the pipes to close
EXIT_WAIT_S = 5.0  # after SIGKILL, the zygote must report the exit within this, or is restarted
READY_TIMEOUT_S = 60.0  # for the zygote to start, and for it to start a run it was sent
START_ATTEMPTS = 3  # consecutive failed zygote starts before runs fail with a "sandbox" error


class Supervisor:
    """Runs one request at a time in zygotes of ``tier``. See the module docstring."""

    def __init__(self, tier: str):
        self.tier = tier
        self._flags = tiers.run_flags(tier)
        self._owner = unprivileged_ids() if tiers.is_root() else None
        self.restarts = 0
        self.zygote = ZygoteProcess(tier)
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._pending: Run | None = None
        self._cancel: set[int] = set()  # ids to cancel; 0 means whatever is in flight
        self._closing = False
        self._broken = ""  # why the thread stopped, if an error of modbox's own stopped it
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        # Owned by the supervisor thread:
        self._current: Run | None = None
        self._failures = 0
        self._abandoned: dict[int, Path] = {}  # run id -> scratch, removed when its exit comes

    # -- requests (any thread) -------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread, which starts the zygote (returns at once)."""
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

    def submit(self, run: Run) -> None:
        """Make ``run`` the next to go; a run still waiting to be sent gets Superseded."""
        with self._lock:
            if self._closing:
                raise RuntimeError("this Sandbox is closed")
            broken = bool(self._broken)
            if not broken:
                older, self._pending = self._pending, run
                self._failures = min(self._failures, START_ATTEMPTS - 1)  # a new run tries again
        if broken:
            complete(run, report=self._broken_report())
            return
        if older is not None:
            complete(older, exc=Superseded())
        self._wake()

    def cancel(self, run_id: int) -> None:
        """Cancel run ``run_id``, or (with 0) whatever is in flight or waiting."""
        with self._lock:
            pending = self._pending
            if pending is not None and run_id in (0, pending.id):
                self._pending = None
            else:
                pending = None
            self._cancel.add(run_id)
        if pending is not None:
            complete(pending, exc=Superseded())
        self._wake()

    def close(self) -> None:
        with self._lock:
            if self._closing:
                return
            self._closing = True
            pending, self._pending = self._pending, None
            thread = self._thread
        if pending is not None:
            complete(pending, exc=Superseded())
        self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        if thread is None:
            self._close_wake_pipe()

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

    # -- the loop --------------------------------------------------------------------------------

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
                if self.zygote.proc is None and self._failures < START_ATTEMPTS:
                    self._spawn()
                self._maybe_send()
                for key, _ in self._sel.select(self._select_timeout()):
                    if self._sel.get_map().get(key.fd) is not key:
                        continue  # unregistered by an earlier event of this batch (a death)
                    kind, what = key.data
                    if kind == "wake":
                        drain(self._wake_r)
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
                complete(pending, report=self._broken_report())
        finally:
            self._shutdown()  # answers the run in flight

    def _broken_report(self) -> Report:
        return reporting.broken(self.tier, self._broken)

    def _maybe_send(self) -> None:
        with self._lock:
            run = self._pending
            if run is None:
                return
            if self._failures >= START_ATTEMPTS:
                self._pending = None
                failed = run
            elif self.zygote.ready:
                self._pending = None
                failed = None
            else:
                return
        if failed is not None:
            why = self.zygote.last_log_line()
            complete(failed, report=reporting.not_started(failed, self.tier, why))
            return
        if self._current is not None:
            self._abandon(self._current)
        self._send(run)

    def _send(self, run: Run) -> None:
        run.scratch = scratch.make(self._owner)
        run.out = OutputStream(run.limits.output_shown)
        run.err = OutputStream(run.limits.output_shown)
        ends = []
        for name in ("out", "err", "res"):
            r, w = os.pipe2(os.O_CLOEXEC)
            os.set_blocking(r, False)
            if name == "res":
                grow_pipe(w)
            run.fds[r] = name
            ends.append(w)
        chunks = wire.source_chunks(run.source)
        msg = {"t": "run", **run.request(), "chunks": len(chunks), **self._flags}
        try:
            self.zygote.send(msg, ends)
            for chunk in chunks:
                self.zygote.send({"t": "chunk", "data": chunk})
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
        if self.zygote.proc is not None and not self.zygote.ready:
            times.append(self.zygote.spawned_at + READY_TIMEOUT_S)
        return max(0.0, min(times) - now) if times else None

    def _tick(self) -> None:
        now = time.monotonic()
        if self.zygote.proc is not None and not self.zygote.ready:
            if now > self.zygote.spawned_at + READY_TIMEOUT_S:
                self.zygote.log.append(b"the zygote did not get ready in time\n")
                self._zygote_died()
                return
        run = self._current
        if run is None:
            return
        if run.started_at is None and now >= self._deadline(run):
            self.zygote.log.append(b"the zygote did not start a run in time\n")
            self._zygote_died()
            return
        if run.stopped is None and now >= self._deadline(run):
            run.stopped = "timeout"
            run.kill_at = now + GRACE_S
            self.zygote.signal(run.id, signal.SIGINT)
        if run.kill_at is not None and run.killed_at is None and now >= run.kill_at:
            self._kill(run)
        if run.killed_at is not None and run.exit is None and now > run.killed_at + EXIT_WAIT_S:
            self.zygote.log.append(b"the zygote did not report a killed run\n")
            self._zygote_died()
            return
        if run.on_progress is not None and now - run.last_progress >= PROGRESS_S:
            self._progress(run, now)
        if run.exit is not None and (not run.fds or now >= run.exit_at + DRAIN_S):
            self._finish(run)

    @staticmethod
    def _deadline(run: Run) -> float:
        """When the run's wall clock runs out; before it started, when the zygote is given up on."""
        if run.started_at is None:
            return run.sent_at + READY_TIMEOUT_S
        return run.started_at + run.limits.wall

    def _kill(self, run: Run) -> None:
        run.killed_at = time.monotonic()
        self.zygote.signal(run.id, signal.SIGKILL)

    # -- the zygote ------------------------------------------------------------------------------

    def _spawn(self) -> None:
        if not self.zygote.spawn():
            self._failures += 1
            return
        self._sel.register(self.zygote.sock, selectors.EVENT_READ, ("sock", None))
        self._sel.register(self.zygote.proc.stderr, selectors.EVENT_READ, ("log", None))

    def _on_zygote_message(self) -> None:
        msg = self.zygote.receive()
        if msg is None:
            self._zygote_died()
            return
        kind = msg.get("t")
        if kind == "ready":
            self.zygote.became_ready()
            self._failures = 0
            self.ready.set()
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
        if not self.zygote.read_log():
            self._sel.unregister(self.zygote.proc.stderr)

    def _zygote_died(self) -> None:
        """Kill what is left of the zygote, end the run in flight, and let the loop restart it."""
        was_ready = self.zygote.ready
        self.ready.clear()
        if self.zygote.sock is not None:
            self._unregister(self.zygote.sock)
        if self.zygote.proc is not None:
            self._unregister(self.zygote.proc.stderr)
        self.zygote.stop()
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
                complete(run, exc=Superseded())
        elif run is not None:
            if self.tier != "bwrap" and run.pid:
                kill_group(run.pid)  # the run child died with the zygote; its group may not have
            run.stopped = run.stopped or "zygote_died"
            self._finish(run)
        for path in self._abandoned.values():
            scratch.remove(path)
        self._abandoned.clear()
        if was_ready:
            self.restarts += 1
        else:
            self._failures += 1

    # -- the run in flight -----------------------------------------------------------------------

    def _on_run_output(self, run: Run, fd: int) -> None:
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
                run.take_result_bytes(data)
            else:
                (run.out if name == "out" else run.err).feed(data)
                printed = run.out.total + run.err.total
                if printed > run.limits.output_kill and run.stopped is None:
                    run.stopped = "output_limit"
                    self._kill(run)

    def _progress(self, run: Run, now: float) -> None:
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

    def _finish(self, run: Run) -> None:
        self._close_run_fds(run)
        now = time.monotonic()
        if run.on_progress is not None:
            self._progress(run, now)
        rest = run.lines.rest()
        if rest is not None:
            run.take_result_line(rest)
        report = reporting.finished(run, self.tier, now)
        scratch.remove(run.scratch)
        self._current = None
        complete(run, report=report)

    def _abandon(self, run: Run, report: Report | None = None) -> None:
        """Kill the run in flight and answer its caller, without waiting: with ``report``, or
        Superseded."""
        self._kill(run)
        self._close_run_fds(run)
        self._abandoned[run.id] = run.scratch
        self._current = None
        complete(run, report=report, exc=None if report is not None else Superseded())

    def _close_run_fds(self, run: Run) -> None:
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
        self.zygote.stop()
        for path in self._abandoned.values():
            scratch.remove(path)
        self._abandoned.clear()
        self.ready.clear()
        self._sel.close()
        self._close_wake_pipe()
