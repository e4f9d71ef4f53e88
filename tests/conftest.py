"""Shared fixtures. Sandbox fixtures are named ``sandbox_*``; other parts add theirs below."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modbox.sandbox import Limits, Sandbox
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


@pytest.fixture(scope="session", params=TIERS)
def sandbox_each_tier(request) -> Sandbox:
    """One warm Sandbox per tier, shared by the whole session (see sandbox_require_tier)."""
    sandbox_require_tier(request.param)
    sb = Sandbox(tier=request.param, limits=SANDBOX_TEST_LIMITS)
    sb.start()
    assert sb.wait_ready(120), f"the {request.param} zygote did not start"
    yield sb
    sb.close()


@pytest.fixture(scope="session")
def sandbox_plain() -> Sandbox:
    sb = Sandbox(tier="plain", limits=SANDBOX_TEST_LIMITS)
    assert sb.wait_ready(120)
    yield sb
    sb.close()


@pytest.fixture
def sandbox_fresh():
    """A Sandbox of the best tier for one test (for tests that kill or close it)."""
    made = []

    def make(**kwargs) -> Sandbox:
        kwargs.setdefault("limits", SANDBOX_TEST_LIMITS)
        sb = Sandbox(**kwargs)
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.close()
