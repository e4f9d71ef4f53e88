"""What learner code may read: the read set, the same in every confining tier.

Measured with ``strace -f -e trace=%file`` on runs that import torch, train, save and load in
scratch, build a model on the meta device and ``torch.compile`` it (``backend="eager"`` and the
default inductor, which runs g++, as, ld and openssl): outside the Python installation, a run
opens the system libraries and tools (/usr, which /bin, /lib and /lib64 lead into), four files
of /etc (``ld.so.cache``, ``localtime``, ``nsswitch.conf``, ``passwd``: getpass names inductor's
cache after the user), ``/sys/devices/system/cpu``, its own /proc entries and /dev/urandom.
Nothing in a home folder, /root or the rest of /etc.

So a run reads:
  - the system: ``SYSTEM`` (/usr and the links into it), ``ETC``, ``SYS``;
  - Python: the interpreter's prefix, the venv, and every folder on the zygote's ``sys.path``
    (site-packages wherever they live, folders a ``.pth`` file adds, the modbox package);
  - what the caller adds: the folder of the file being run, ``--allow-read DIR`` and the
    ``allow_read`` list of ``config.toml`` (``extra_reads``);
  - and writes only its scratch folder.
bwrap binds exactly these (``bwrap_args``), Landlock allows reading exactly these
(``landlock_paths``).
"""

from __future__ import annotations

import functools
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from modbox.storage import atomic_write_text, cache_dir, config_dir, read_text, toml_parser

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC = (  # the four measured, and three that go with them
    "/etc/ld.so.cache",
    "/etc/ld.so.preload",  # the loader looks for it in every process it starts
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",  # read with passwd by the same user lookups (grp, getpass)
    "/etc/alternatives",  # cc, c++ and friends are links through here
)
SYS = ("/sys/devices/system/cpu",)
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")

CONFIG_FILE = "config.toml"


@dataclass
class ReadSet:
    """Folders (and files) a run may read beyond the system, and the scratch base it writes."""

    python: list[Path]  # the installation: prefixes, venv, the zygote's sys.path
    extra: list[Path] = field(default_factory=list)  # the caller's: file folder, --allow-read
    scratch: Path | None = None

    @property
    def read(self) -> list[Path]:
        """Every folder the run reads besides the system ones, outermost first, none nested."""
        return [p for p in outermost(self.python + self.extra) if not under_system(p)]


def for_sandbox(extra: list[Path] | tuple[Path, ...] = (), scratch: Path | None = None) -> ReadSet:
    return ReadSet(python_paths(), [Path(p).resolve() for p in extra], scratch)


def package_root() -> Path:
    """The folder that holds the ``modbox`` package."""
    return Path(__file__).resolve().parents[3]


@functools.cache
def python_paths() -> list[Path]:
    """The folders the zygote's Python reads: its prefixes, its executable's folder, and its
    ``sys.path``, asked of the interpreter itself in isolated mode (as the zygote starts), so
    that neither this process's working directory nor its PYTHONPATH leak in."""
    found = {
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(sys.executable).resolve().parent,
        Path(sys.executable).parent.resolve(),
        package_root(),
    }
    found |= {Path(p).resolve() for p in isolated_sys_path() if p and Path(p).is_dir()}
    return outermost(sorted(found))


def isolated_sys_path() -> list[str]:
    """``sys.path`` of this interpreter in isolated mode (``python -I``).

    Asking it starts a Python (about 25 ms of CPU and 50-80 ms before the zygote can start, on
    every launch), so the answer is kept in the cache folder. It holds while the interpreter
    and the folders on that path are unchanged: installing a package, or a .pth file that adds
    a folder, changes the folder it goes in (``_stamp``)."""
    kept = cache_dir() / "isolated-sys-path.json"
    try:
        cached = json.loads(kept.read_text())
        if cached["executable"] == sys.executable and cached["stamp"] == _stamp(cached["path"]):
            return cached["path"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", "import sys, json; print(json.dumps(sys.path))"],
            capture_output=True, text=True, timeout=30, cwd="/", env={"PATH": "/usr/bin:/bin"},
        )
        entries = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        entries = None
    if entries is None:
        return sys.path  # not kept: the next launch asks again
    try:
        atomic_write_text(kept, json.dumps(
            {"executable": sys.executable, "stamp": _stamp(entries), "path": entries}))
    except OSError:
        pass  # a cache that cannot be written is asked again next time
    return entries


def _stamp(entries: list[str]) -> list:
    """What a change of the interpreter or of a folder on its path changes: their mtimes."""
    def mtime(path: str) -> int | None:
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return None

    return [mtime(sys.executable), mtime(os.path.realpath(sys.executable)),
            *[mtime(p) for p in entries]]


def under_system(path: Path) -> bool:
    return any(_under(path, Path(top).resolve()) for top in SYSTEM if os.path.exists(top))


def outermost(paths: list[Path]) -> list[Path]:
    """``paths`` without duplicates and without those inside another one, shortest first."""
    kept: list[Path] = []
    for p in sorted(set(paths), key=lambda p: (len(p.parts), str(p))):
        if p != Path("/") and not any(_under(p, k) for k in kept):
            kept.append(p)
    return kept


def _under(path: Path, top: Path) -> bool:
    return path == top or top in path.parents


def closed(folder: Path) -> bool:
    """Whether users other than its owner and group cannot enter ``folder``."""
    return folder.is_dir() and not (folder.stat().st_mode & stat.S_IXOTH)


# -- what the caller adds --------------------------------------------------------------------


class BadReadPath(ValueError):
    """An --allow-read folder (or config entry) that cannot be used, with what to do instead."""


def script_folder(file: str | Path) -> Path | None:
    """The folder of the file being run, which the run may read (data or a checkpoint next to
    the script). Not when that folder is a home folder, /root or /: then only the file itself,
    so that running ~/model.py does not hand the program ~/.ssh."""
    path = Path(file).expanduser().resolve()
    folder = path.parent
    if folder == Path("/") or folder == Path.home().resolve() or folder == Path("/root"):
        return path if path.exists() else None
    if folder.parent == Path("/home"):
        return path if path.exists() else None
    return folder if folder.is_dir() else None


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def configured_reads(path: Path | None = None) -> list[Path]:
    """The ``allow_read`` list of ``[sandbox]`` in config.toml (none when there is no file)::

        # ~/.config/modbox/config.toml
        [sandbox]
        allow_read = ["~/datasets", "/srv/shared/checkpoints"]
    """
    path = path or config_path()
    try:
        text = read_text(path)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:  # ValueError: not UTF-8 text
        raise BadReadPath(f"{path} could not be read ({e}): fix or remove it") from None
    try:
        data = toml_parser().loads(text)
    except ValueError as e:  # not TOML
        raise BadReadPath(f"{path} could not be read ({e}): fix or remove it") from None
    entries = data.get("sandbox", {}).get("allow_read", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise BadReadPath(
            f'{path}: [sandbox] allow_read must be a list of folder names, like ["~/data"]'
        )
    return [checked_read(e, f"{path} ([sandbox] allow_read)") for e in entries]


def checked_read(entry: str, source: str) -> Path:
    path = Path(entry).expanduser()
    if not path.exists():
        raise BadReadPath(f"{source}: {entry} does not exist; give a folder or file that does")
    return path.resolve()


def extra_reads(file: str | Path | None, allow_read: list[str] | None) -> list[Path]:
    """What a command adds to the read set: the folder of ``file``, ``--allow-read`` folders,
    and config.toml's. Raises BadReadPath with a message to show."""
    extra = [checked_read(e, "--allow-read") for e in allow_read or ()]
    extra += configured_reads()
    if file is not None:
        folder = script_folder(file)
        if folder is not None:
            extra.append(folder)
    return extra


# -- bwrap -----------------------------------------------------------------------------------


def bwrap_args(reads: ReadSet, root: bool) -> list[str]:
    """bwrap arguments that build the run's file system from nothing: /dev, a fresh /proc, an
    empty /tmp, the system read-only, the read set read-only, the scratch base read-write.

    Every folder on the way to a bind is made open (0755): bwrap would make them 0700, which
    nobody (learner code when modbox runs as root) cannot enter. A bound folder keeps its host
    permissions; one closed to others (a venv in ``mktemp -d``) becomes an open folder with its
    entries bound one by one, when learner code runs as nobody.
    """
    argv = ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for top in SYSTEM:
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    made: set[Path] = {Path("/"), Path("/tmp"), Path("/dev"), Path("/proc")}
    for path in [*ETC, *SYS]:
        argv += _parents(Path(path), made) + ["--ro-bind-try", path, path]
    for path in reads.read:
        argv += _parents(path, made)
        if root and closed(path):
            argv += ["--perms", "0755", "--dir", str(path)]
            for entry in sorted(path.iterdir()):
                if entry.is_symlink():
                    argv += ["--symlink", os.readlink(entry), str(entry)]
                else:
                    argv += ["--ro-bind", str(entry), str(entry)]
        else:
            argv += ["--ro-bind", str(path), str(path)]
    if reads.scratch is not None:
        argv += _parents(reads.scratch, made) + ["--bind", str(reads.scratch), str(reads.scratch)]
    return argv


def _parents(path: Path, made: set[Path]) -> list[str]:
    argv: list[str] = []
    for folder in reversed(path.parents):
        if folder not in made:
            argv += ["--perms", "0755", "--dir", str(folder)]
            made.add(folder)
    return argv


# -- Landlock and the uid drop outside bwrap ---------------------------------------------------


def landlock_paths(reads: ReadSet) -> list[str]:
    """What a run child's Landlock ruleset lets it read (and execute), besides its scratch.

    All of /proc: the files there that say something about another process (environ, maps,
    mem, fds) are guarded by the ptrace check, which Landlock denies for every process outside
    the run's own domain; a run needs its own entries (/proc/self), and those of the processes
    it starts."""
    system = [p for p in (*SYSTEM, *ETC, *SYS, *DEVICES) if os.path.lexists(p)]
    return [*system, "/proc", *(str(p) for p in reads.read)]


def opening_plan(reads: ReadSet) -> list[list[str]]:
    """Mount steps that let ``nobody`` reach the read set on the host's own file system (the
    landlock and plain tiers, when modbox runs as root), in a mount namespace of the zygote's.

    Python may live under a folder only root can enter (pyenv in /root); learner code imports
    lazily from there long after the zygote started. The first closed folder on the way becomes
    an empty open tmpfs, the folders between become open folders, and the needed folder is bound
    back (entry by entry when it is closed itself). Empty when nothing is closed."""
    steps: list[list[str]] = []
    made: set[Path] = set()
    needed = list(reads.read) + ([reads.scratch] if reads.scratch is not None else [])
    for path in needed:
        chain = [p for p in reversed(path.parents) if p != Path("/")] + [path]
        first = next((i for i, p in enumerate(chain) if closed(p)), None)
        if first is None:
            continue
        for i, folder in enumerate(chain[first:-1] if chain[first] != path else []):
            if folder not in made:
                steps.append(["tmpfs" if i == 0 else "dir", str(folder)])
                made.add(folder)
        writable = reads.scratch is not None and path == reads.scratch
        if not closed(path):
            steps.append(["bind", str(path), "rw" if writable else "ro"])
            continue
        steps.append(["tmpfs", str(path)])
        for entry in sorted(path.iterdir()):
            if entry.is_symlink():
                steps.append(["symlink", os.readlink(entry), str(entry)])
            else:
                steps.append(["bind", str(entry), "rw" if writable else "ro"])
    return steps
