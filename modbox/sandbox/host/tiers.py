"""Isolation tiers, chosen in the app's process: which one this machine offers, and how to start
the zygote in it.

  bwrap     bubblewrap: user, pid, net, mount, ipc and uts namespaces, a file system built from
            the read set only (reads.py: the system, Python, the run's own folders; no home
            folders), private /tmp, no capabilities, never root inside; Landlock on top when the
            kernel has it.
  landlock  Landlock in each run child (reads only the read set, writes only to the scratch
            folder, no TCP, no signals or tracing out of the run), plus a per-run network
            namespace.
  plain     rlimits, process groups and timeouts: keeps the app alive through buggy code, but is
            not a security boundary: the program can read the learner's files and reach the
            network. Learners see that on the status line and in ``modbox doctor``.

When modbox runs as root, learner code runs as ``nobody`` in every tier, with no capability
left: the bwrap sandbox is started as nobody, and in the other tiers each run child drops to
nobody, after the zygote made Python reachable for nobody in a mount namespace of its own
(reads.opening_plan). Root is never handed to learner code.

Threat model: the tiers protect the app and the machine from buggy code and from code that
reaches out on purpose (reads outside the read set, writes, network, signals, fork bombs where
RLIMIT_NPROC applies). No tier fills the disk beyond one file's limit in plain and landlock, or
stops a kernel exploit. rlimits are per process, so a program that forks gets a budget per
process. ``modbox doctor`` measures what each tier confines on the machine at hand.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from modbox.sandbox import landlock
from modbox.sandbox.host import reads

TIERS = ("bwrap", "landlock", "plain")
ENV_VAR = "MODBOX_SANDBOX"


class TierUnavailable(RuntimeError):
    """A tier was asked for that this machine cannot provide."""


@dataclass
class Choice:
    tier: str
    reasons: dict[str, str] = field(default_factory=dict)  # why each other tier was not chosen


def is_root() -> bool:
    return os.geteuid() == 0


def choose(requested: str | None = None) -> Choice:
    """The tier to use: ``requested``, else $MODBOX_SANDBOX, else the best one available."""
    forced = requested or os.environ.get(ENV_VAR) or None
    if forced is not None and forced not in TIERS:
        source = "tier" if requested else ENV_VAR
        raise ValueError(
            f"{source}={forced!r} is not a sandbox tier: use one of {', '.join(TIERS)}"
        )
    problems = problems_by_tier()
    if forced is not None:
        if problems[forced]:
            raise TierUnavailable(f"the {forced} sandbox is not available here: {problems[forced]}")
        reasons = {t: f"{forced} was asked for" for t in TIERS if t != forced}
        return Choice(forced, reasons)
    tier = next(t for t in TIERS if not problems[t])
    reasons = {}
    for t in TIERS:
        if t != tier:
            reasons[t] = problems[t] or f"{tier} isolates more"
    return Choice(tier, reasons)


@functools.cache
def problems_by_tier() -> dict[str, str]:
    """Empty string for each tier that works here, else why it does not."""
    return {"bwrap": _bwrap_problem(), "landlock": _landlock_problem(), "plain": ""}


def _landlock_problem() -> str:
    if not sys.platform.startswith("linux"):
        return "Landlock is a Linux feature"
    version = landlock.abi()
    if version < landlock.MIN_ABI:
        return f"the kernel's Landlock ABI is {version}, modbox needs {landlock.MIN_ABI} or newer"
    return ""


def _bwrap_problem() -> str:
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    spec = zygote_spec("bwrap", ["true"], reads.ReadSet([]))
    try:
        done = subprocess.run(
            spec.argv, env=spec.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as e:
        return f"bwrap could not start: {e}"
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        return "bwrap failed: " + (err[-1] if err else f"exit code {done.returncode}")
    return ""


@dataclass
class ZygoteSpec:
    """How to start the zygote in one tier."""

    argv: list[str]
    env: dict[str, str]


ZYGOTE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
}


def python_command(args: list[str]) -> list[str]:
    root = str(reads.package_root())
    boot = (
        "import sys; sys.path.insert(0, sys.argv[1]); del sys.argv[1]; "
        "from modbox.sandbox.child.zygote import main; main(sys.argv[1:])"
    )
    return [sys.executable, "-I", "-c", boot, root, *args]


def zygote_spec(tier: str, command: list[str], read_set: reads.ReadSet) -> ZygoteSpec:
    if tier != "bwrap":
        return ZygoteSpec(command, dict(ZYGOTE_ENV))
    argv = ["bwrap", "--die-with-parent", "--as-pid-1", "--new-session"]
    if is_root():
        # Root starts bwrap without a user namespace so that the zygote keeps just enough power
        # (setuid, setgid, kill) to hand each run child to nobody. A user namespace would leave
        # the learner's processes owned by root outside it, where RLIMIT_NPROC does not apply.
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-drop", "ALL"]
        argv += [a for cap in ROOT_ZYGOTE_CAPS for a in ("--cap-add", cap)]
    else:
        argv += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    argv += reads.bwrap_args(read_set, is_root())
    argv += ["--chdir", "/", "--", *command]
    return ZygoteSpec(argv, dict(ZYGOTE_ENV))


ROOT_ZYGOTE_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")


def zygote_mounts(tier: str, read_set: reads.ReadSet) -> list[list[str]]:
    """Mount steps the zygote takes before anything else (``mounts.apply``): outside bwrap, when
    modbox runs as root, those that let nobody reach Python and the read set."""
    if tier == "bwrap" or not is_root():
        return []
    return reads.opening_plan(read_set)


def run_flags(tier: str, read_set: reads.ReadSet) -> dict:
    """How each run child confines itself in ``tier`` (see child/run_child.py, _confine)."""
    from modbox.sandbox import privileges

    root = is_root()
    drop = [*privileges.unprivileged_ids()] if root else None
    has_landlock = not _landlock_problem()
    landlock_reads = reads.landlock_paths(read_set)
    if tier == "bwrap":
        return {
            "netns_before_drop": False,
            "drop": drop,
            "unshare_after": privileges.CLONE_NEWUSER if root else 0,
            "unshare_optional": False,
            "landlock": has_landlock,
            "reads": landlock_reads,
            "nproc": True,  # counted per user namespace: bwrap's, or the one made after the drop
        }
    if tier == "landlock":
        return {
            "netns_before_drop": root,
            "drop": drop,
            "unshare_after": 0 if root else privileges.CLONE_NEWUSER | privileges.CLONE_NEWNET,
            "unshare_optional": True,  # Landlock alone still blocks TCP and writes
            "landlock": True,
            "reads": landlock_reads,
            "nproc": False,
        }
    return {
        "netns_before_drop": False,
        "drop": drop,
        "unshare_after": 0,
        "unshare_optional": False,
        "landlock": False,
        "reads": [],
        "nproc": False,
    }
