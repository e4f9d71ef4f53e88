"""Process-level primitives the sandbox needs that Python 3.11 does not expose: prctl, unshare,
dropping root to an unprivileged uid, and emptying the capability sets.

No capability survives into learner code. When modbox runs as root, learner code runs as
``nobody``; Python and torch may live under a folder only root can enter (``/root/.pyenv``), and
the tiers make that reachable by mounts instead (bwrap's binds, ``child/mounts.apply``
elsewhere). A user namespace made after the drop hands the process every capability inside it:
``drop_capabilities`` takes them away again.

Used by both sides, so it sits above host/ and child/: the app's process picks the unprivileged ids
and the namespaces a run child enters (host/supervisor.py, host/tiers.py); the zygote and the run
child call prctl, unshare, drop_root and drop_capabilities (child/zygote.py, child/run_child.py).
"""

from __future__ import annotations

import ctypes
import os
import pwd

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
_CAP_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl({option})")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def unprivileged_ids() -> tuple[int, int]:
    """uid and gid of ``nobody``: what root hands learner code instead of itself."""
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_root(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good: the kernel clears every capability set on the way."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def drop_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets (the ambient set follows)."""
    data = (_CapData * 2)(_CapData(0, 0, 0), _CapData(0, 0, 0))
    _check(_libc.capset(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capset")
