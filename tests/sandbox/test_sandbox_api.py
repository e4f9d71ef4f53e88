"""The sandbox's Python API: reports, streaming, supersede, cancel, restart, close, tiers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from modbox.report import Report
from modbox.sandbox import Limits, Progress, Sandbox, Superseded, TierUnavailable
from modbox.sandbox.host import scratch
from modbox.sandbox.host.supervisor import Supervisor
from modbox.sandbox.child.zygote import IDLE_BEFORE_WARM_S
from modbox.sandbox.host.tiers import TIERS, problems_by_tier
from tests.support.sandbox import (
    MARKER, assert_nothing_left, sandbox_processes, sandbox_require_tier, sandbox_scratch_dirs,
)

# Real sandboxes, started and killed: seconds per test.
pytestmark = pytest.mark.slow


SLOW = "import sys, time\nprint('started', flush=True)\ntime.sleep(30)\n"


def _run_in_thread(sb, source, **kwargs):
    """Start sb.run in a thread; returns (thread, box) where box gets the report or exception."""
    box = {}
    started = threading.Event()

    def progress(p: Progress):
        if "started" in p.stdout:
            started.set()

    def go():
        try:
            box["report"] = sb.run(source, on_progress=progress, **kwargs)
        except BaseException as e:
            box["exc"] = e

    thread = threading.Thread(target=go)
    thread.start()
    assert started.wait(60), "the slow run never started"
    return thread, box


def test_report_round_trips_through_json(sandbox_plain):
    report = sandbox_plain.run("print('hi')\nraise ValueError('bad value')\n", filename="lesson.py")
    assert not report.ok
    assert report.error.kind == "exception" and report.error.line == 2
    assert 'File "lesson.py", line 2' in report.error.traceback
    assert "bad value" in report.error.message
    assert report.stdout == "hi\n"
    assert report.sandbox == "plain"
    assert report.timing.total >= report.timing.run > 0
    assert Report.from_json(report.to_json()) == report


def test_traceback_keeps_only_the_learners_frames(sandbox_plain):
    report = sandbox_plain.run(
        "import torch\ndef f():\n    return torch.zeros(2) @ torch.zeros(3)\nf()\n"
    )
    assert report.error.kind == "exception" and report.error.line == 3
    frames = [ln for ln in report.error.traceback.splitlines() if ln.strip().startswith("File ")]
    assert frames == ['  File "main.py", line 4, in <module>', '  File "main.py", line 3, in f']


def test_syntax_error_reports_line_and_column(sandbox_plain):
    report = sandbox_plain.run("x = (1,\ny = 2\n")
    assert report.error.kind == "syntax"
    assert report.error.line == 1 and report.error.column == 5


def test_output_streams_while_the_run_is_going(sandbox_plain):
    pieces: list[Progress] = []
    report = sandbox_plain.run(
        "import time\nprint('one', flush=True)\ntime.sleep(0.4)\nprint('two')\n",
        on_progress=pieces.append,
    )
    assert report.ok
    assert len([p for p in pieces if p.stdout]) >= 2
    assert "".join(p.stdout for p in pieces) == report.stdout == "one\ntwo\n"


def test_events_stream_in_order_and_are_capped(sandbox_plain):
    source = (
        "from modbox.sandbox.child import sink\n"
        "for i in range(5000):\n"
        "    sink.active.emit({'kind': 'forward', 'path': f'layer{i}', 'class': 'Linear'})\n"
    )
    streamed = []
    report = sandbox_plain.run(source, on_progress=lambda p: streamed.extend(p.events))
    assert report.ok
    assert report.events_total == 5000 and report.events_dropped == 0
    assert [e.seq for e in report.events] == list(range(5000))
    assert report.events[7].path == "layer7" and report.events[7].cls == "Linear"
    assert streamed == report.events

    capped = sandbox_plain.run(source, limits=Limits(max_events=100))
    assert len(capped.events) == 100
    assert capped.events_total == 5000 and capped.events_dropped == 4900


def test_run_async_calls_progress_on_the_event_loop_thread(sandbox_plain):
    threads = set()

    async def main():
        loop_thread = threading.get_ident()
        report = await sandbox_plain.run_async(
            "print('a', flush=True)\nimport time\ntime.sleep(0.2)\nprint('b')\n",
            on_progress=lambda p: threads.add(threading.get_ident()),
        )
        return loop_thread, report

    loop_thread, report = asyncio.run(main())
    assert report.ok and report.stdout == "a\nb\n"
    assert threads == {loop_thread}


def test_cancelling_the_awaiting_task_cancels_the_run(sandbox_plain):
    async def main():
        task = asyncio.ensure_future(sandbox_plain.run_async(SLOW))
        await asyncio.sleep(1.0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert sandbox_plain.run("print('next')").stdout == "next\n"
    assert_nothing_left(sandbox_plain)


def test_a_new_run_supersedes_the_one_in_flight(sandbox_each_tier):
    sb = sandbox_each_tier
    thread, box = _run_in_thread(sb, SLOW, timeout=60)
    report = sb.run("print('newer')")
    thread.join(30)
    assert isinstance(box.get("exc"), Superseded)
    assert report.ok and report.stdout == "newer\n"
    assert sb.run("print('next')").ok
    assert_nothing_left(sb)


def test_cancel_kills_the_run_in_flight(sandbox_each_tier):
    sb = sandbox_each_tier
    thread, box = _run_in_thread(sb, SLOW, timeout=60)
    sb.cancel()
    thread.join(30)
    assert isinstance(box.get("exc"), Superseded)
    assert sb.run("print('next')").stdout == "next\n"
    assert_nothing_left(sb)


def test_zygote_is_restarted_after_it_is_killed(sandbox_fresh):
    sb = sandbox_fresh()
    assert sb.run("print(1)").ok
    first = sb.zygote_pid
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while sb.ready and time.monotonic() < deadline:  # a run sent before it noticed would crash
        time.sleep(0.01)
    report = sb.run("print(2)")
    assert report.ok and report.stdout == "2\n"
    assert sb.restarts == 1 and sb.zygote_pid != first
    assert sb.last_start_ms is not None


def test_the_supervisor_survives_the_zygotes_socket_and_log_closing_in_one_batch(sandbox_fresh):
    # The zygote's death shows as two events at once: its socket and its log pipe both close.
    # Handling the socket first tears the zygote down, so the log event must not read a pipe
    # that is gone (the supervisor thread would die, and every later run wait forever). Make
    # that order certain: let both events gather, and hand over the socket's first.
    sb = sandbox_fresh()
    assert sb.run("print(1)").ok
    real_select = sb._supervisor._sel.select

    def one_batch_socket_first(timeout=None):
        time.sleep(0.3)
        return sorted(real_select(timeout), key=lambda event: event[0].data[0] != "sock")

    sb._supervisor._sel.select = one_batch_socket_first
    assert sb.run("print(2)").ok  # from here the supervisor selects through the wrapper
    os.killpg(sb.zygote_pid, signal.SIGKILL)  # the zygote and everything it forked
    box = {}
    thread = threading.Thread(target=lambda: box.update(report=sb.run("print('back')")), daemon=True)
    thread.start()
    thread.join(60)
    assert box["report"].stdout == "back\n"
    assert sb._supervisor._thread.is_alive()


def test_an_error_of_modboxs_own_in_the_supervisor_answers_runs_instead_of_hanging(
    sandbox_fresh, monkeypatch
):
    sb = sandbox_fresh()
    assert sb.run("print(1)").ok

    def broken_tick(self):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(Supervisor, "_tick", broken_tick)
    box = {}
    thread = threading.Thread(target=lambda: box.update(report=sb.run(SLOW, timeout=60)), daemon=True)
    thread.start()
    thread.join(30)
    for report in (box["report"], sb.run("print(2)")):  # the one in flight, and a later one
        assert report.error.kind == "sandbox"
        assert "internal error (RuntimeError: a bug of ours)" in report.error.message
    zygote = sb.zygote_pid
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{zygote}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox_processes(zygote) == [zygote] and not os.path.exists(f"/proc/{zygote}")
    assert sandbox_scratch_dirs() == []


def test_a_run_in_flight_when_the_zygote_dies_reports_a_crash(sandbox_fresh):
    sb = sandbox_fresh()
    thread, box = _run_in_thread(sb, SLOW, timeout=60)
    os.kill(sb.zygote_pid, signal.SIGKILL)
    thread.join(30)
    assert box["report"].error.kind == "crash"
    assert sb.run("print('back')").stdout == "back\n"
    assert_nothing_left(sb)


def test_close_leaves_nothing_behind(sandbox_fresh):
    sb = sandbox_fresh()
    daemon = (
        "import subprocess, time\n"
        f"subprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)\n"
        "print('started', flush=True)\ntime.sleep(30)\n"
    )
    thread, box = _run_in_thread(sb, daemon, timeout=60)
    zygote = sb.zygote_pid
    sb.close()
    thread.join(30)
    assert isinstance(box.get("exc"), Superseded)
    deadline = time.monotonic() + 10
    while sandbox_processes(zygote) != [zygote] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox_processes(zygote) == [zygote]  # only the pid we asked about: nothing below
    assert not os.path.exists(f"/proc/{zygote}")
    assert sandbox_scratch_dirs() == []
    with pytest.raises(RuntimeError):
        sb.run("print(1)")


def test_stale_scratch_folders_of_dead_clients_are_removed(sandbox_fresh):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = scratch.base_dir() / f"run-{dead.pid}-0"
    stale.mkdir()
    (stale / "left.txt").write_text("x")
    sb = sandbox_fresh(tier="plain")
    sb.start()
    assert not stale.exists()


def test_unknown_tier_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MODBOX_SANDBOX", "docker")
    with pytest.raises(ValueError, match="MODBOX_SANDBOX='docker' is not a sandbox tier"):
        Sandbox()
    with pytest.raises(ValueError, match="tier='chroot' is not a sandbox tier"):
        Sandbox(tier="chroot")


def test_environment_variable_forces_a_tier(monkeypatch):
    monkeypatch.setenv("MODBOX_SANDBOX", "plain")
    sb = Sandbox()
    assert sb.tier == "plain"
    assert set(sb.tier_reasons) == {"bwrap", "landlock"}
    sb.close()


def test_unavailable_tier_says_why(monkeypatch):
    problems = dict(problems_by_tier())
    problems["bwrap"] = "bubblewrap (bwrap) is not installed"
    monkeypatch.setattr("modbox.sandbox.host.tiers.problems_by_tier", lambda: problems)
    with pytest.raises(TierUnavailable, match="not installed"):
        Sandbox(tier="bwrap")
    sb = Sandbox()
    assert sb.tier == "landlock" and "not installed" in sb.tier_reasons["bwrap"]
    sb.close()


def test_limits_that_make_no_sense_are_refused(sandbox_plain):
    with pytest.raises(ValueError, match="wall"):
        Sandbox(limits=Limits(wall=0))
    with pytest.raises(ValueError, match="memory_mb"):
        sandbox_plain.run("pass", limits=Limits(memory_mb=-1))
    with pytest.raises(ValueError, match="wall"):
        sandbox_plain.run("pass", timeout=-2)


def test_each_run_starts_fresh(sandbox_plain):
    sandbox_plain.run("import torch\ntorch.nn.Linear.forward = None\nGLOBAL = 1\n")
    report = sandbox_plain.run(
        "import torch\nprint(torch.nn.Linear.forward is None, 'GLOBAL' in dir())\n"
    )
    assert report.stdout == "False False\n"


def test_torch_runs_single_threaded_and_never_touched_cuda(sandbox_plain):
    report = sandbox_plain.run(
        "import torch\nprint(torch.get_num_threads(), torch.cuda.is_initialized())\n"
    )
    assert report.stdout == "1 False\n"


def test_client_side_imports_neither_torch_nor_textual():
    code = (
        "import sys, modbox.sandbox, modbox.inspect_cmd, modbox.sandbox.host.doctor\n"
        "from modbox.sandbox import Sandbox\n"
        "sb = Sandbox(tier='plain'); sb.run('import torch'); sb.close()\n"
        "bad = [m for m in ('torch', 'textual') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_streamed_events_equal_what_report_from_dict_builds():
    from modbox.sandbox.host.framing import parse_event as _event

    raw = {"seq": 3, "kind": "forward", "path": "net.0", "class": "Linear", "outputs": [[2, 4]]}
    expected = Report.from_dict({"events": [dict(raw)]}).events[0]
    assert _event(dict(raw)) == expected
    newer = {"seq": 1, "kind": "forward", "unknown": 1}
    assert _event(newer) == _event({"seq": 1, "kind": "forward"})
    assert _event({"kind": "forward"}) is None  # never half an event
    first, second = _event({"seq": 1, "kind": "hook"}), _event({"seq": 2, "kind": "hook"})
    first.inputs.append([1])
    assert second.inputs == []


@pytest.mark.parametrize("tier", TIERS)
def test_an_idle_zygote_pays_for_the_first_optimizer_so_runs_do_not(sandbox_fresh, tier):
    sandbox_require_tier(tier)
    # A process's first optimizer imports torch._dynamo (as long as `import torch`): the zygote
    # does it in its first idle moment after the first run, so that no run pays it inside its
    # time limit, and the first result never waits behind it.
    sb = sandbox_fresh(tier=tier)
    assert sb.wait_ready(120)
    probe = "import sys; print('torch._dynamo' in sys.modules)"
    time.sleep(2 * IDLE_BEFORE_WARM_S)  # idle before any run: no warm-up yet
    seen = [sb.run(probe).stdout.strip()]
    assert seen == ["False"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen.append(sb.run(probe).stdout.strip())
        if seen[-1] == "True":
            break
        time.sleep(2 * IDLE_BEFORE_WARM_S)  # idle long enough for the zygote to warm up
    assert seen[-1] == "True", seen
    assert sb.restarts == 0


def test_an_inspector_failure_is_reported_not_hidden(sandbox_plain):
    report = sandbox_plain.run(
        "import modbox.probe\nmodbox.probe.Probe.inspect = lambda self, namespace: 1 / 0\n"
    )
    assert report.ok and report.models == []
    assert "[modbox] the inspector failed" in report.stderr and "ZeroDivisionError" in report.stderr


def test_models_the_client_cannot_read_are_reported_not_hidden(sandbox_plain):
    report = sandbox_plain.run(
        "import modbox.probe\nmodbox.probe.Probe.inspect = lambda self, namespace: [{'modules': 5}]\n"
    )
    assert report.ok and report.models == []
    assert (
        "[modbox] the inspector failed, so no models are shown: its description of the models "
        "could not be read (TypeError: " in report.stderr
    )


def test_an_exception_message_becomes_one_plain_line_with_all_its_text(sandbox_plain):
    report = sandbox_plain.run(
        "raise RuntimeError('Error(s) in loading state_dict for Net:\\n\\t"
        "Missing key(s) in state_dict: \"head.weight\".\\n\\x1b[1mbold\\x1b[0m')\n"
    )
    message = report.error.message
    assert report.error.kind == "exception"
    assert "\n" not in message and "\x1b" not in message
    assert 'for Net: Missing key(s) in state_dict: "head.weight". bold (line 1)' in message
