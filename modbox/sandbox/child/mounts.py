"""Carry out ``reads.opening_plan`` in the zygote: a private mount namespace in which ``nobody``
can reach the read set (the landlock and plain tiers, when modbox runs as root).

The zygote is still root here. Every folder to bind back is opened (O_PATH) before any tmpfs
covers it, then bound from ``/proc/self/fd/N``; binds are read-only except the scratch base.
"""

from __future__ import annotations

import ctypes
import os

_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT, _MS_BIND = 1, 2, 4, 32, 4096
_MS_REC, _MS_PRIVATE = 16384, 1 << 18
_CLONE_NEWNS = 0x00020000

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def apply(steps: list[list[str]]) -> None:
    if not steps:
        return
    if _libc.unshare(_CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS): {os.strerror(err)}")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE, None)  # nothing here leaks to the host
    sources = {s[1]: os.open(s[1], os.O_PATH | os.O_CLOEXEC) for s in steps if s[0] == "bind"}
    try:
        for step in steps:
            kind, path = step[0], step[-1] if step[0] == "symlink" else step[1]
            if kind == "tmpfs":
                os.makedirs(path, exist_ok=True)
                _mount("tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
            elif kind == "dir":
                os.makedirs(path, exist_ok=True)
                os.chmod(path, 0o755)
            elif kind == "symlink":
                os.symlink(step[1], path)
            else:
                fd = sources[path]
                _make_target(fd, path)
                _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC, None)
                if step[2] == "ro":
                    _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY, None)
    finally:
        for fd in sources.values():
            os.close(fd)


def _make_target(fd: int, path: str) -> None:
    if os.path.lexists(path):
        return
    if os.path.isdir(f"/proc/self/fd/{fd}"):
        os.mkdir(path, 0o755)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
