"""Entry points the command line calls: ``modbox play [FILE]`` and ``modbox learn [ID]``.

Both start the sandbox before they import Textual when a CPU is free for it: its worker is a
process of its own that imports torch (seconds) while the app imports Textual and draws its first
frame, so the two overlap instead of taking turns. When no CPU is free, the worker starts once
the first frame is on screen (``worker_for_app``).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Callable

from modbox.ui import collector

if TYPE_CHECKING:
    from modbox.sandbox.host.api import SandboxConnection


def start_worker(reads: list) -> Callable[[], SandboxConnection]:
    """Start the sandbox's worker now, letting runs read ``reads`` too; returns the factory
    that hands the sandbox to the app.

    The sandbox is made and started on a thread of its own: choosing its tier runs a trial
    bubblewrap sandbox (tens of milliseconds, more on a busy machine) that the app's imports
    need not wait for, and the worker starts as soon as that trial ends. The factory waits for
    the thread (the app calls it on a thread of its own, after its first frame). A sandbox that
    cannot be made (a bad ``MODBOX_SANDBOX``, say) raises from the factory, where the app shows
    why on its status line."""
    from modbox.sandbox import Sandbox

    made: list = []

    def make() -> None:
        try:
            sandbox = Sandbox(reads=reads)
            sandbox.start()
        except Exception as exc:
            made.append(exc)
        else:
            made.append(sandbox)

    thread = threading.Thread(target=make, name="modbox-worker-start", daemon=True)
    thread.start()

    def factory() -> SandboxConnection:
        thread.join()
        if isinstance(made[0], Exception):
            raise made[0]
        return made[0]

    return factory


def worker_for_app(reads: list) -> Callable[[], SandboxConnection]:
    """The factory ``modbox play`` and ``learn`` hand their app: the worker starts now when a
    CPU is free for it, else when the app calls the factory (its first frame is on screen).

    Side by side, the worker imports torch (a second of CPU) while the app draws its first
    frame, and the first result comes sooner. When no CPU is free they would share the app's:
    on two busy cores the first frame took 1.4x-1.5x a bare Textual app's with the worker
    starting beside it, 1.1x-1.2x with the worker starting after it, and the first result came
    as soon (bench/bench_ui.py)."""
    if free_cpus() >= 2:  # one for the app, one for the worker
        return start_worker(reads)
    return lambda: start_worker(reads)()


def free_cpus(loadavg: str = "/proc/loadavg") -> int:
    """CPUs this process may use that nothing else is running on at this moment (from the
    kernel's count of running tasks, this process included); all of them when it cannot tell."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux's; elsewhere, every CPU
    cpus = len(affinity(0)) if affinity else os.cpu_count() or 1
    try:
        with open(loadavg) as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cpus
    return max(0, cpus - (running - 1))


def worker_reads(args) -> list | None:
    """What the learner's programs may read besides Python and the system (the folder of the
    file ``modbox play`` opens, --allow-read, config.toml); None (after saying why) when an
    --allow-read folder or config.toml is wrong."""
    import sys

    from modbox.sandbox.host.reads import BadReadPath, extra_reads

    try:
        return extra_reads(getattr(args, "file", None), getattr(args, "allow_read", None))
    except BadReadPath as e:
        print(f"modbox: {e}", file=sys.stderr)
        return None


def play(args, sandbox_factory: Callable[[], SandboxConnection] | None = None) -> int:
    """``sandbox_factory``: a worker started earlier (``modbox serve`` starts it ahead)."""
    collector.pause_for_start_up()
    if sandbox_factory is None:
        reads = worker_reads(args)
        if reads is None:
            return 2
        sandbox_factory = worker_for_app(reads)
    from modbox.ui.app import ModboxApp

    app = ModboxApp(file=getattr(args, "file", None), sandbox_factory=sandbox_factory)
    app.run()
    return app.return_code or 0


def learn(args, sandbox_factory: Callable[[], SandboxConnection] | None = None) -> int:
    """``modbox`` and ``modbox learn [ID] [--lessons DIR]``: the lesson menu, or one lesson."""
    collector.pause_for_start_up()
    import sys
    from pathlib import Path

    from modbox.lessons.loader import missing_folder

    folder = getattr(args, "lessons", None)
    problem = missing_folder(folder)
    if problem:
        print(f"modbox: {problem}", file=sys.stderr)
        return 2
    if sandbox_factory is None:
        reads = worker_reads(args)
        if reads is None:
            return 2
        sandbox_factory = worker_for_app(reads)
    from modbox.lessons.loader import load_catalog
    from modbox.lessons.progress import ProgressStore
    from modbox.ui.learn_app import LearnApp

    catalog = load_catalog(Path(folder).expanduser() if folder else None)
    app = LearnApp(catalog, ProgressStore(), getattr(args, "lesson_id", None), sandbox_factory=sandbox_factory)
    app.run()
    return app.return_code or 0
