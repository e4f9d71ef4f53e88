"""Isolation tiers, chosen in the app's process: which one this machine offers, and how to start
the zygote in it.

  bwrap     bubblewrap: user, pid, net, mount, ipc and uts namespaces, read-only root, private
            /tmp, no capabilities, never root inside; Landlock on top when the kernel has it.
  landlock  Landlock in each run child (writes only to the scratch folder, no TCP, no signals out
            of the run), plus a per-run network namespace.
  plain     rlimits, process groups and timeouts: keeps the app alive through buggy code, but is
            not a security boundary. Learners see "reduced isolation".

When modbox runs as root, learner code runs as ``nobody`` in every tier: the bwrap sandbox is
started as nobody, and in the other tiers each run child drops to nobody (keeping only the right
to read files, see privileges.py). Root is never handed to learner code.

Threat model: the tiers protect the app and the machine from buggy code and from code that
reaches out on purpose (writes, network, signals, fork bombs where RLIMIT_NPROC applies). No tier
keeps files secret that the learner's uid may read (root's learner code keeps the right to
read), fills the disk beyond one file's limit in plain and landlock, or stops a kernel exploit.
rlimits are per process, so a program that forks gets a budget per process.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from modbox.sandbox import landlock

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
    spec = zygote_spec("bwrap", ["true"], scratch_base=None)
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


def package_root() -> Path:
    """The folder that holds the ``modbox`` package."""
    return Path(__file__).resolve().parents[3]


def python_command(args: list[str]) -> list[str]:
    root = str(package_root())
    boot = (
        "import sys; sys.path.insert(0, sys.argv[1]); del sys.argv[1]; "
        "from modbox.sandbox.child.zygote import main; main(sys.argv[1:])"
    )
    return [sys.executable, "-I", "-c", boot, root, *args]


def zygote_spec(tier: str, command: list[str], scratch_base: Path | None) -> ZygoteSpec:
    if tier != "bwrap":
        return ZygoteSpec(command, dict(ZYGOTE_ENV))
    return _bwrap_spec(command, scratch_base)


def _bwrap_spec(command: list[str], scratch_base: Path | None) -> ZygoteSpec:
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
    argv += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    needed = _needed_paths()
    # --tmpfs /tmp hid anything below /tmp: bring back what Python and modbox need. bwrap makes
    # the folders on the way to a bind's target with mode 0700, which nobody (learner code, when
    # modbox runs as root) cannot enter: make them open first.
    made: set[Path] = set()
    for path in needed:
        if _under(path, Path("/tmp")):
            for folder in [p for p in reversed(path.parents) if Path("/tmp") in p.parents]:
                if folder not in made:
                    argv += ["--perms", "0755", "--dir", str(folder)]
                    made.add(folder)
            argv += ["--ro-bind", str(path), str(path)]
    if is_root():
        argv += _open_for_nobody(needed)
    if scratch_base is not None:
        argv += ["--bind", str(scratch_base), str(scratch_base)]
    argv += ["--chdir", "/", "--", *command]
    return ZygoteSpec(argv, dict(ZYGOTE_ENV))


ROOT_ZYGOTE_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")


def _needed_paths() -> list[Path]:
    """Folders the zygote must read: the interpreter, the venv, and the modbox checkout."""
    paths = {
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(sys.executable).resolve().parent,
        package_root(),
    }
    paths |= {Path(p).resolve() for p in sys.path if p and Path(p).is_dir()}
    ordered = sorted(paths, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for p in ordered:
        if not any(_under(p, k) for k in kept) and p != Path("/"):
            kept.append(p)
    return kept


def _under(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def _open_for_nobody(needed: list[Path]) -> list[str]:
    """bwrap arguments that let ``nobody`` (learner code, when modbox runs as root) read the
    needed folders, wherever they live.

    A bind keeps the host's permissions, and nobody cannot enter a folder closed to others: a
    home such as /root (where pyenv lives), or a venv made in a private temporary folder
    (``mktemp -d``, pytest's tmp_path). Run children import lazily (``torch.optim`` pulls in
    ``torch._dynamo``, ``torch.save`` ``torch.utils.serialization``), so whatever the zygote
    could read, nobody must read too. The first closed folder on the way to a needed folder
    becomes an empty, open tmpfs, the folders between become open folders, and only what Python
    needs is bound back; this also hides the rest of a closed home.
    """
    argv: list[str] = []
    made: set[Path] = set()
    for path in needed:
        chain = [p for p in reversed(path.parents) if p != Path("/")] + [path]
        first = next((i for i, p in enumerate(chain) if _closed(p)), None)
        if first is None:
            continue
        for i, folder in enumerate(chain[first:]):
            if folder not in made:
                argv += ["--perms", "0755", "--tmpfs" if i == 0 else "--dir", str(folder)]
                made.add(folder)
        if not _closed(path):
            argv += ["--ro-bind", str(path), str(path)]
            continue
        for entry in sorted(path.iterdir()):  # the needed folder itself is closed
            if entry.is_symlink():
                argv += ["--symlink", os.readlink(entry), str(entry)]
            else:
                argv += ["--ro-bind", str(entry), str(entry)]
    return argv


def _closed(folder: Path) -> bool:
    """Whether users other than its owner and group cannot enter ``folder``."""
    return not (folder.stat().st_mode & stat.S_IXOTH)


def run_flags(tier: str) -> dict:
    """How each run child confines itself in ``tier`` (see child/run_child.py, _confine)."""
    from modbox.sandbox import privileges

    root = is_root()
    drop = [*privileges.unprivileged_ids()] if root else None
    has_landlock = not _landlock_problem()
    if tier == "bwrap":
        return {
            "netns_before_drop": False,
            "drop": drop and [*drop, False],  # bwrap made Python readable for nobody
            "unshare_after": privileges.CLONE_NEWUSER if root else 0,
            "unshare_optional": False,
            "landlock": has_landlock,
            "nproc": True,  # counted per user namespace: bwrap's, or the one made after the drop
        }
    if tier == "landlock":
        return {
            "netns_before_drop": root,
            "drop": drop and [*drop, True],
            "unshare_after": 0 if root else privileges.CLONE_NEWUSER | privileges.CLONE_NEWNET,
            "unshare_optional": True,  # Landlock alone still blocks TCP and writes
            "landlock": True,
            "nproc": False,
        }
    return {
        "netns_before_drop": False,
        "drop": drop and [*drop, True],
        "unshare_after": 0,
        "unshare_optional": False,
        "landlock": False,
        "nproc": False,
    }
