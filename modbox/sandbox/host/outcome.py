"""In the app's process: turn what happened to a run into the Report's error: a kind and one line a learner understands.

Inputs are facts: the child's ``result`` message (how the learner's code ended, if it got that
far), the zygote's ``exit`` message (exit code, CPU time), the reason the client stopped the run
(timeout, output limit), and stderr (faulthandler's stack after a crash).
"""

from __future__ import annotations

import errno
import re
import signal

from modbox.plain_text import strip_escapes
from modbox.report import Error
from modbox.sandbox.limits import Limits

_SIGNAL_WORDS = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGABRT: "an abort",
    signal.SIGBUS: "a bus error",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGILL: "an illegal instruction",
}
_NATIVE_HINT = "This usually means a native call (ctypes, a C extension) went wrong."
_EFBIG = 27


def error_for(
    result: dict | None,
    exit_code: int | None,
    cpu_s: float,
    stopped: str | None,
    stderr: str,
    limits: Limits,
    filename: str,
) -> Error | None:
    """None when the learner's code ran to the end."""
    if stopped == "timeout":
        interrupted = result is not None and result.get("exc_type") == "KeyboardInterrupt"
        line = result.get("line") if interrupted else None
        where = f" (line {line})" if line else ""
        return Error(
            "timeout",
            f"Your code ran longer than {limits.wall:g} s and was stopped. "
            f"Look for a loop that never ends or a long sleep{where}.",
            line=line,
            traceback=(result or {}).get("traceback", "") if line else "",
        )
    if stopped == "output_limit":
        return Error(
            "output_limit",
            f"Your code printed more than {_size(limits.output_kill)} and was stopped. "
            "Print less, for example only every 100th step.",
        )
    if stopped == "zygote_died":
        return Error(
            "crash",
            "The sandbox's helper process stopped during your run (did your code kill its "
            "parent process?). It was restarted: run your code again.",
        )
    if result is not None and result.get("t") == "sandbox_error":
        return Error(
            "sandbox",
            f"The sandbox could not prepare this run ({result.get('why', 'unknown reason')}). "
            "Run `modbox doctor` to see what is missing.",
        )
    if result is not None:
        return _from_result(result, limits)
    return _from_exit(exit_code, cpu_s, stderr, limits, filename)


def _from_result(result: dict, limits: Limits) -> Error | None:
    outcome = result.get("outcome")
    line = result.get("line")
    at = f" (line {line})" if line else ""
    tb = result.get("traceback", "")
    if outcome == "ok":
        return None
    if outcome == "syntax":
        col = result.get("column")
        where = f"line {line}, column {col}" if col else f"line {line}"
        return Error(
            "syntax",
            f"Python could not read your code at {where}: {result.get('exc_msg')}. "
            "Check that line for a missing bracket, colon or quote.",
            line=line,
            column=col,
            traceback=tb,
        )
    if outcome == "exit":
        code = result.get("exit_code")
        shown = "" if code is None else repr(code)
        return Error(
            "exit",
            f"Your code called sys.exit({shown}) and stopped before the end{at}. "
            "Remove that call to let the program finish.",
            line=line,
            traceback=tb,
        )
    exc_type, msg = result.get("exc_type", "Exception"), _one_line(result.get("exc_msg", ""))
    if result.get("memory"):
        return Error(
            "memory",
            f"Your code needed more memory than its {limits.memory_mb} MiB budget{at}. "
            "Use smaller tensors or lists, or fewer of them.",
            line=line,
            traceback=tb,
        )
    if exc_type == "RecursionError":
        message = (
            f"A function kept calling itself until Python gave up{at}. "
            "Make sure the recursion has a case that stops it."
        )
    elif exc_type == "EOFError" and "reading a line" in msg:
        message = (
            f"input() has nothing to read: code in modbox gets no keyboard input{at}. "
            "Put the value in your code instead."
        )
    elif _task_limit(result, exc_type, msg, tb):
        # RLIMIT_NPROC counts threads as well as processes
        message = (
            f"Your code hit the limit of {limits.processes} processes and threads a run may "
            f"start ({exc_type}: {msg}){at}. Start fewer of them, and end each one you start."
        )
    elif result.get("errno") == _EFBIG:
        message = (
            f"A file your code wrote grew past the {limits.file_mb} MiB limit{at}. "
            "Write less data."
        )
    else:
        detail = f": {msg}" if msg else ""
        message = f"{exc_type}{detail}{at}. The traceback shows how your code got there."
    return Error("exception", message, line=line, traceback=tb)


def _task_limit(result: dict, exc_type: str, msg: str, tb: str) -> bool:
    """Whether starting a process or a thread was refused (the run's process limit)."""
    if result.get("errno") == errno.EAGAIN and re.search(r"fork|Popen|spawn|start", tb):
        return True
    return exc_type == "RuntimeError" and "can't start new thread" in msg


def _from_exit(exit_code: int | None, cpu_s: float, stderr: str, limits: Limits, filename: str):
    if exit_code is None:
        return Error("crash", "The run ended without a result. Run your code again.")
    if exit_code >= 0:
        return Error(
            "exit",
            f"Your code called os._exit({exit_code}) and stopped before the end. "
            "Remove that call to let the program finish.",
        )
    sig = -exit_code
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_s >= limits.cpu_seconds()):
        return Error(
            "cpu_limit",
            f"Your code used more than {limits.cpu_seconds():g} s of CPU time and was stopped. "
            "Look for a loop that never ends, or make the work smaller.",
        )
    line, tb = _crash_location(stderr, filename)
    at = f" at line {line}" if line else ""
    if "bad_alloc" in stderr or "can't allocate memory" in stderr:
        return Error(
            "memory",
            f"Your code needed more memory than its {limits.memory_mb} MiB budget and "
            f"crashed{at}. Use smaller tensors or lists, or fewer of them.",
            line=line,
            traceback=tb,
        )
    if sig in _SIGNAL_WORDS:
        return Error(
            "crash",
            f"Your program crashed with {_SIGNAL_WORDS[sig]}{at}. {_NATIVE_HINT}",
            line=line,
            traceback=tb,
        )
    name = _signal_name(sig)
    return Error(
        "crash",
        f"Your program was stopped by the signal {name}{at}. "
        "Check for code that kills processes or signals itself.",
        line=line,
        traceback=tb,
    )


def _crash_location(stderr: str, filename: str) -> tuple[int | None, str]:
    """The learner's innermost line in faulthandler's dump, and the dump cut to their frames."""
    start = stderr.rfind("Fatal Python error")
    if start < 0:
        return None, ""
    kept, line = [], None
    for text in stderr[start:].splitlines():
        m = re.match(r'\s*File "(.*?)", line (\d+)', text)
        if m is None:
            if text.startswith(("Fatal Python error", "Current thread", "Thread 0x")):
                kept.append(text)
        elif m.group(1) == filename:
            kept.append(text)
            line = line or int(m.group(2))  # most recent call first
    return line, "\n".join(kept)


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _size(n: int) -> str:
    return f"{n / (1 << 20):g} MiB" if n >= 1 << 20 else f"{n / 1024:g} KiB"


def _one_line(text: str) -> str:
    """An exception's text as one clipped line: some span lines ("Error(s) in loading
    state_dict for Net:" then the keys), some carry terminal colours (UnpicklingError)."""
    return _clip(" ".join(strip_escapes(text).split()))


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
