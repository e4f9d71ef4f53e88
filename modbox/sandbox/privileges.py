"""Process-level primitives the sandbox needs that Python 3.11 does not expose: prctl, unshare,
and dropping root to an unprivileged uid while keeping the right to read files.

Why keep CAP_DAC_READ_SEARCH: when modbox runs as root, learner code runs as ``nobody``, but
Python and torch may live under a directory only root can enter (``/root/.pyenv``). Learner code
still has to import modules lazily from there. Reading is not a secret in any tier (see the
threat model in host/tiers.py); writing, signalling and owning files are what the uid drop takes away.

Used by both sides, so it sits above host/ and child/: the app's process picks the unprivileged ids
and the namespaces a run child enters (host/supervisor.py, host/tiers.py); the zygote and the run
child call prctl, unshare and drop_root (child/zygote.py, child/run_child.py).
"""

from __future__ import annotations

import ctypes
import os
import pwd

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
_CAP_DAC_READ_SEARCH = 2
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


def drop_root(uid: int, gid: int, keep_read: bool) -> None:
    """Become ``uid``/``gid`` for good, keeping CAP_DAC_READ_SEARCH when ``keep_read``."""
    os.setgroups([])
    if not keep_read:
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        return
    prctl(PR_SET_KEEPCAPS, 1)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    keep = 1 << _CAP_DAC_READ_SEARCH
    data = (_CapData * 2)(_CapData(keep, keep, 0), _CapData(0, 0, 0))
    _check(_libc.capset(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capset")
    prctl(PR_SET_KEEPCAPS, 0)
