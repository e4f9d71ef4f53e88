"""The sandbox contract, on every tier this machine offers: misbehaving learner programs.

Each program must end with the right error kind, the engine must run the next program, and
nothing of the run may remain: no process below the zygote beyond its idle set (the zygote and
its pre-forked spare child), no process carrying the program's marker, no scratch folder.
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
from dataclasses import dataclass, field

import pytest

from modbox.sandbox import Limits
from modbox.sandbox import privileges
from modbox.sandbox.host.tiers import is_root
from tests.support.sandbox import MARKER, assert_nothing_left

# Each case starts real runs on every tier; the whole module takes minutes.
pytestmark = pytest.mark.slow


@dataclass
class Case:
    id: str
    source: str
    kind: str  # an error kind, or "ok"
    limits: dict = field(default_factory=dict)
    needs: str = ""  # "nproc": only where RLIMIT_NPROC is enforced; "pidns": only in bwrap
    line: int | tuple | None = None  # the learner's line, or the lines it may be
    check: object = None  # extra assertion on the report


def _dropped(report):
    assert report.stdout_dropped == 200_001 - 65536
    assert len(report.stdout.encode()) == 65536


def _binary(report):
    assert "\ufffd" in report.stdout
    assert report.from_json(report.to_json()) == report


CASES = [
    Case("infinite_loop", "x = 0\nwhile True:\n    x += 1\n", "timeout", line=(2, 3)),
    Case("sleep", "import time\ntime.sleep(1000)\n", "timeout", line=2),
    Case(
        "sigint_ignored",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
        "timeout",
    ),
    Case(
        "sigterm_and_sigint_ignored",
        "import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT):\n"
        "    signal.signal(s, signal.SIG_IGN)\ntime.sleep(1000)\n",
        "timeout",
    ),
    Case(
        "keyboard_interrupt_swallowed",
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except KeyboardInterrupt:\n        pass\n",
        "timeout",
    ),
    Case("cpu_limit", "while True:\n    pass\n", "cpu_limit", limits={"cpu": 1}),
    Case("memory_torch", "import torch\nx = torch.zeros(400_000_000)\n", "memory", line=2),
    Case("memory_torch_huge", "import torch\nx = torch.empty(10**13)\n", "memory", line=2),
    Case(
        "memory_python_list",
        "x = []\nwhile True:\n    x.append(bytearray(10**6))\n",
        "memory",
        limits={"memory_mb": 256},
        line=3,
    ),
    Case("memory_int_list", "x = list(range(10**9))\n", "memory", line=1),
    Case("print_flood", "while True:\n    print('x' * 100)\n", "output_limit"),
    Case(
        "stderr_flood",
        "import sys\nwhile True:\n    sys.stderr.write('e' * 1000)\n",
        "output_limit",
    ),
    Case("one_enormous_line", "print('y' * (50 * 2**20))\n", "output_limit"),
    Case("big_output_is_cut", "print('z' * 200_000)\n", "ok", check=_dropped),
    Case(
        "binary_output",
        "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 10)\n",
        "ok",
        check=_binary,
    ),
    Case("segfault", "import ctypes\nctypes.string_at(0)\n", "crash", line=2),
    Case("abort", "import os\nos.abort()\n", "crash", line=2),
    Case("os_exit", "print('bye')\nimport os\nos._exit(7)\n", "exit"),
    Case("sys_exit", "import sys\nsys.exit(3)\n", "exit", line=2),
    Case("input", "name = input('name? ')\n", "exception", line=1),
    Case("stdin_read", "import sys\nprint(len(sys.stdin.read()))\n", "ok"),
    Case("recursion", "def f():\n    return f()\nf()\n", "exception", line=2),
    Case("syntax_error", "x = 1\ndef f(:\n    pass\n", "syntax", line=2),
    Case("indentation_error", "if True:\nprint('x')\n", "syntax", line=2),
    Case("file_too_large", "with open('big', 'wb') as f:\n    f.write(b'0' * (32 << 20))\n",
         "exception", line=2),
    Case("kill_own_process_group", "import os, signal\nos.killpg(0, signal.SIGKILL)\n", "crash"),
    Case(
        "double_forked_daemon",
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        "        time.sleep(1000)\n    os._exit(0)\nos.wait()\nprint('parent done')\n",
        "ok",
    ),
    Case(
        "subprocess_daemon",
        f"import subprocess\nsubprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)\n",
        "ok",
    ),
    Case(
        "thread_left_running",
        "import threading, time\nthreading.Thread(target=time.sleep, args=(1000,)).start()\n"
        "print('main done')\n",
        "ok",
    ),
    Case(
        "forked_child_falls_off_the_end",
        "import os\npid = os.fork()\nif pid:\n    os.waitpid(pid, 0)\nprint('both')\n",
        "ok",
    ),
    Case(
        "junk_on_result_fd",
        "import os\nos.write(3, b'{not json\\n' * 1000)\nprint('fine')\n",
        "ok",
    ),
    Case(
        "fork_bomb",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "timeout",
        needs="nproc",
    ),
    Case(
        "fork_bomb_unguarded",  # the first refused fork ends the run: the message names the limit
        "import os\nwhile True:\n    os.fork()\n",
        "exception",
        line=3,
        needs="nproc",
        check=lambda report: (
            "limit of 64 processes" in report.error.message
            and "BlockingIOError" in report.error.message
        ) or pytest.fail(report.error.message),
    ),
    Case(
        "thread_bomb",  # threads count against the same limit: the message says so
        "import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(30,)).start()\n",
        "exception",
        line=3,
        needs="nproc",
        check=lambda report: (
            "limit of 64 processes and threads" in report.error.message
            and "can't start new thread" in report.error.message
        ) or pytest.fail(report.error.message),
    ),
    Case(
        "kill_everything_in_reach",
        # kill(-1) reports success when it found processes, even if it could signal none.
        "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n"
        "print('still here')\n",
        "ok",
        needs="pidns",
    ),
]


def _skip_reason(case: Case, tier: str) -> str:
    if case.needs == "nproc" and tier != "bwrap":
        return f"RLIMIT_NPROC is only enforced inside a user namespace; the {tier} tier has none"
    if case.needs == "pidns" and tier != "bwrap":
        return "kill(-1) is only safe inside a PID namespace (bwrap tier)"
    return ""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_misbehaving_program_is_contained(sandbox_each_tier, case: Case):
    sb = sandbox_each_tier
    reason = _skip_reason(case, sb.tier)
    if reason:
        pytest.skip(reason)
    wall = {"wall": 1.0} if case.kind == "timeout" else {}  # short where a timeout is the point
    limits = Limits(**{**vars(sb.limits), **wall, **case.limits})
    report = sb.run(case.source, limits=limits)
    kind = "ok" if report.ok else report.error.kind
    assert kind == case.kind, report.error
    if case.line is not None:
        assert report.error.line in (case.line if isinstance(case.line, tuple) else (case.line,))
    if not report.ok:
        assert report.error.message and "\n" not in report.error.message
    if case.check:
        case.check(report)
    assert report.sandbox == sb.tier
    assert_nothing_left(sb)
    after = sb.run("print('next')")
    assert after.ok and after.stdout == "next\n"
    assert_nothing_left(sb)


def test_killing_the_zygote_from_learner_code_is_survived(sandbox_each_tier):
    sb = sandbox_each_tier
    report = sb.run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('after')\n")
    if is_root():
        # Learner code runs as nobody: it may not signal root's zygote.
        assert report.error.kind == "exception" and "PermissionError" in report.error.message
    elif sb.tier == "plain":
        assert report.error.kind == "crash"
    elif sb.tier == "landlock":
        assert report.error.kind == "exception"  # Landlock's signal scope
    else:
        assert report.ok  # the zygote is the PID namespace's init: SIGKILL from inside is ignored
    assert sb.run("print('next')").stdout == "next\n"
    assert_nothing_left(sb)


def test_writing_outside_the_scratch_folder_fails(sandbox_each_tier, tmp_path):
    sb = sandbox_each_tier
    if sb.tier == "plain" and not is_root():
        pytest.skip("the plain tier does not confine the file system of a normal user")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o755)
    targets = ["/etc/modbox-escaped", str(closed / "escaped")]
    if sb.tier != "plain":
        # As nobody, plain-tier code may still write where anyone may; the others may not.
        (tmp_path / "open").mkdir()
        (tmp_path / "open").chmod(0o777)
        targets.append(str(tmp_path / "open" / "escaped"))
    tmp_path.chmod(0o755)
    source = "".join(
        f"try:\n    open({t!r}, 'w').write('x')\n    print('wrote', {t!r})\n"
        f"except OSError as e:\n    print('refused', type(e).__name__)\n"
        for t in targets
    )
    report = sb.run(source)
    assert report.ok, report.error
    assert report.stdout.count("refused") == len(targets), report.stdout
    assert not any(os.path.exists(t) for t in targets)


def test_writing_inside_the_scratch_folder_works(sandbox_each_tier):
    report = sandbox_each_tier.run(
        "import os, tempfile\nopen('here.txt', 'w').write('x')\n"
        "with tempfile.NamedTemporaryFile() as f:\n    f.write(b'y')\nprint(os.listdir('.'))\n"
    )
    assert report.ok, report.error
    assert report.stdout == "['here.txt']\n"


def test_loopback_connection_fails(sandbox_each_tier):
    sb = sandbox_each_tier
    if sb.tier == "plain":
        pytest.skip("the plain tier does not cut the network")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    accepted = []

    def accept():
        try:
            accepted.append(listener.accept())
        except OSError:
            pass

    source = textwrap.dedent(
        f"""\
        import socket
        socket.create_connection(("127.0.0.1", {port}), timeout=1)
        """
    )
    report = sb.run(source)
    accept()
    listener.close()
    assert report.error is not None and report.error.kind == "exception"
    assert report.error.line == 2
    assert accepted == []


def test_learner_code_never_runs_as_root(sandbox_each_tier):
    report = sandbox_each_tier.run("import os\nprint(os.getuid(), os.geteuid())\n")
    uid, euid = map(int, report.stdout.split())
    assert uid != 0 and euid != 0
    if is_root():
        nobody = privileges.unprivileged_ids()[0]
        assert uid == euid == nobody
    else:
        # The app's own user, or the overflow id that a user namespace without a mapping shows.
        with open("/proc/sys/kernel/overflowuid") as f:
            overflow = int(f.read())
        assert uid == euid and uid in (os.getuid(), overflow)


def test_signalling_the_app_is_refused(sandbox_each_tier):
    sb = sandbox_each_tier
    if sb.tier == "plain" and not is_root():
        pytest.skip("in the plain tier, learner code runs as the same user as the app")
    report = sb.run(f"import os, signal\nos.kill({os.getpid()}, signal.SIGCONT)\n")
    assert report.error is not None and report.error.kind == "exception"
    assert "ProcessLookupError" in report.error.message or "PermissionError" in report.error.message


def test_engine_survives_many_programs_in_a_row(sandbox_each_tier):
    sb = sandbox_each_tier
    for i in range(20):
        report = sb.run(f"print({i})")
        assert report.stdout == f"{i}\n"
    assert_nothing_left(sb)


def test_runs_from_many_threads_each_get_a_report_or_superseded(sandbox_each_tier):
    from modbox.sandbox import Superseded

    sb = sandbox_each_tier
    outcomes = []

    def go(i):
        try:
            outcomes.append(sb.run(f"print({i})").stdout)
        except Superseded:
            outcomes.append("superseded")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 6
    assert any(o != "superseded" for o in outcomes)
    assert sb.run("print('next')").stdout == "next\n"
    assert_nothing_left(sb)
