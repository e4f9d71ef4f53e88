"""Where modbox keeps the learner's things, and how it writes them without ever losing them.

Everything modbox saves (drafts, autosaves, progress, settings) goes through ``atomic_write_text``:
write a temporary file beside the target, fsync it, then ``os.replace`` it over the target. A crash
or SIGKILL at any moment leaves either the old file or the new one, never half of one.
``MODBOX_HOME`` moves all of it (tests use it to stay out of the real home).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import platformdirs


def _root(kind: str) -> Path:
    home = os.environ.get("MODBOX_HOME")
    if home:
        return Path(home) / kind
    if kind == "data":
        return Path(platformdirs.user_data_dir("modbox", appauthor=False))
    if kind == "cache":
        return Path(platformdirs.user_cache_dir("modbox", appauthor=False))
    return Path(platformdirs.user_config_dir("modbox", appauthor=False))


def data_dir() -> Path:
    """Drafts, autosaves and progress."""
    return _root("data")


def cache_dir() -> Path:
    """What modbox can work out again, kept to spare launches the time (removing it loses nothing)."""
    return _root("cache")


def config_dir() -> Path:
    """Settings and key bindings the learner edits."""
    return _root("config")


try:
    import fcntl
except ImportError:  # Windows: no advisory lock; atomic replace still prevents torn files
    fcntl = None


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path``.lock exclusively (an advisory lock every modbox window takes) while another
    window's read-change-write of ``path`` could otherwise interleave with this one's."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step. Raises OSError (disk full, read-only, ...)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Unreadable(Exception):
    """A file modbox keeps is there but cannot be read (its permissions, a folder in its place, a
    link that leads nowhere). It was renamed aside (``kept``; None when even that failed), so a
    fresh one can start; ``says(what, then)`` is the message for the learner."""

    def __init__(self, path: Path, error: OSError, kept: Path | None):
        super().__init__(f"{path}: {error.strerror or error}")
        self.path, self.error, self.kept = path, error, kept

    def says(self, what: str, then: str) -> str:
        """``what`` ("Your progress file") could not be read, where it is now, ``then`` (what
        modbox does instead), and what to try."""
        why = self.error.strerror or str(self.error)
        if self.kept is None:
            return (f"{what} could not be read ({why}), nor moved aside. Check {self.path}: it "
                    "should be a file you can read and write.")
        return (f"{what} could not be read ({why}). It was kept as {self.kept} and {then}. "
                f"To use it again, make it a file you can read and put it back as {self.path.name}.")


# A file that fails to open with one of these will fail every time: a folder in its place, no
# permission, a link that loops
FILE_ITSELF = {errno.EISDIR, errno.EACCES, errno.EPERM, errno.ELOOP}


def read_kept_file(path: Path) -> bytes | None:
    """The bytes of ``path``, a file modbox writes; None when there is none.

    Raises Unreadable, after renaming it aside, when it is there but cannot be read, and
    OSError when its folder is the trouble (not a folder, not searchable): then there is
    nothing to move aside."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        # only what is wrong with the file itself: a passing trouble (too many open files, an
        # I/O error) must not move the learner's progress out of the way
        if exc.errno not in FILE_ITSELF or not os.path.lexists(path):
            raise
        try:
            kept = put_aside(path, "unreadable")
        except OSError:
            kept = None
        raise Unreadable(path, exc, kept) from None


class NotText(ValueError):
    """A file whose bytes are not UTF-8 text, with where a person finds the first bad byte."""

    def __init__(self, path: Path, data: bytes, exc: UnicodeDecodeError):
        self.path = path
        self.line = data.count(b"\n", 0, exc.start) + 1
        # what is wrong, for messages that give the line themselves (``file:line: ...``)
        self.what = (f"byte 0x{data[exc.start]:02x} is not UTF-8 text: "
                     "save the file as UTF-8 in a text editor")
        super().__init__(f"line {self.line}: {self.what}")


def read_text(path: Path) -> str:
    """The file as text. Raises OSError, or NotText when its bytes are not UTF-8."""
    return decode_text(Path(path), Path(path).read_bytes())


def toml_parser():
    """Python's TOML parser (``tomllib``; on Python 3.10 the same parser from PyPI, ``tomli``).
    Imported by whoever reads a TOML file, when it does: most launches read none."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib


def decode_text(path: Path, data: bytes) -> str:
    """``data``, read from ``path``, as text. Raises NotText when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(path, data, exc) from None


def put_aside(path: Path, why: str) -> Path:
    """Rename a file modbox cannot use to ``<name>.<why>-<time>`` beside it (never over another
    one), so that a fresh file can start and nothing the learner had is lost. Returns the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    os.replace(path, aside)
    return aside
