"""Landlock through ctypes: after ``restrict(scratch)`` this process and its children can write
only inside ``scratch`` (plus /dev/null), cannot open TCP connections or listen, and cannot signal
processes outside their own Landlock domain (ABI >= 6). Reads stay allowed.

Used by both sides, so it sits above host/ and child/: the app's process asks the kernel's ABI to
choose a tier (host/tiers.py), and the run child restricts itself (child/run_child.py).
"""

from __future__ import annotations

import ctypes
import os

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_WRITE_FILE = 1 << 1
_FS_WRITE_V1 = (
    _WRITE_FILE
    | (1 << 4)  # remove dir
    | (1 << 5)  # remove file
    | (1 << 6)  # make char
    | (1 << 7)  # make dir
    | (1 << 8)  # make reg
    | (1 << 9)  # make sock
    | (1 << 10)  # make fifo
    | (1 << 11)  # make block
    | (1 << 12)  # make sym
)
_REFER = 1 << 13  # ABI 2
_TRUNCATE = 1 << 14  # ABI 3
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
MIN_ABI = 6  # signal scoping is what keeps learner code away from the app


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    v = _libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(v), 0)


def restrict(scratch: str) -> None:
    """Confine the calling process (and its future children). Raises OSError on failure."""
    version = abi()
    if version < MIN_ABI:
        raise OSError(f"Landlock ABI {version} < {MIN_ABI}")
    fs = _FS_WRITE_V1 | _REFER | _TRUNCATE
    attr = _RulesetAttr(fs, _NET_BIND_TCP | _NET_CONNECT_TCP, _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL)
    ruleset = _libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        raise _error("landlock_create_ruleset")
    try:
        _allow(ruleset, scratch, fs)
        _allow(ruleset, os.devnull, _WRITE_FILE | _TRUNCATE)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise _error("prctl(NO_NEW_PRIVS)")
        if _libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise _error("landlock_restrict_self")
    finally:
        os.close(ruleset)


def _allow(ruleset: int, path: str, access: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        rule = _PathBeneath(access, fd)
        if _libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise _error(f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def _error(what: str) -> OSError:
    err = ctypes.get_errno()
    return OSError(err, f"{what}: {os.strerror(err)}")
