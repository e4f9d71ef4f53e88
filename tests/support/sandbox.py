"""Sandbox test helpers: the tiers this machine must offer, the test limits, and what a sandbox
left behind (processes, scratch folders)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modbox.sandbox import Limits
from modbox.sandbox.host.tiers import TIERS, problems_by_tier


def _expected_tiers() -> set[str]:
    """The tiers this machine must offer, from $MODBOX_EXPECT_TIERS (comma-separated; CI sets
    it). A tier that is missing here fails its tests instead of quietly dropping them."""
    names = {t.strip() for t in os.environ.get("MODBOX_EXPECT_TIERS", "").split(",") if t.strip()}
    unknown = names - set(TIERS)
    if unknown:
        raise pytest.UsageError(
            f"MODBOX_EXPECT_TIERS names {', '.join(sorted(unknown))}: the tiers are {', '.join(TIERS)}"
        )
    return names


SANDBOX_EXPECTED_TIERS = _expected_tiers()


def sandbox_require_tier(tier: str) -> None:
    """Fail when ``tier`` is expected here but missing; skip, saying why, when it is missing and
    not expected (a machine without bubblewrap, say)."""
    problem = problems_by_tier()[tier]
    if not problem:
        return
    if tier in SANDBOX_EXPECTED_TIERS:
        pytest.fail(f"the {tier} tier is expected here (MODBOX_EXPECT_TIERS) but missing: {problem}")
    pytest.skip(f"the {tier} tier is missing here ({problem}); set MODBOX_EXPECT_TIERS to require it")


# A wall clock no healthy test program reaches even on a loaded machine; tests that expect a
# timeout set a short one themselves. A small memory budget keeps memory bombs quick.
SANDBOX_TEST_LIMITS = Limits(wall=30.0, memory_mb=512)


def sandbox_processes(root_pid: int) -> list[int]:
    """``root_pid`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def sandbox_scratch_dirs() -> list[Path]:
    """Scratch folders of this test process's sandboxes that still exist."""
    from modbox.sandbox.host import scratch

    return sorted(scratch.base_dir().glob(f"run-{os.getpid()}-*"))


# `sleep MARKER` marks processes a program tries to leave behind; unique per test process
MARKER = str(9_000_000 + os.getpid())


def _idle_processes(sb) -> int:
    # The zygote, its spare child and, in the bwrap tier, bwrap itself.
    return 3 if sb.tier == "bwrap" else 2


def _marked_processes() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if MARKER.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def assert_nothing_left(sb) -> None:
    assert sandbox_scratch_dirs() == []
    assert _marked_processes() == []
    assert len(sandbox_processes(sb.zygote_pid)) == _idle_processes(sb)
