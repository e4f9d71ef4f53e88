"""Fixtures every area may use. The sandbox fixtures are named ``sandbox_*``; their helpers live
in tests/support/sandbox.py."""

from __future__ import annotations

import pytest

from modbox.sandbox import Sandbox
from modbox.sandbox.host.tiers import TIERS
from tests.support.sandbox import SANDBOX_TEST_LIMITS, sandbox_require_tier


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
