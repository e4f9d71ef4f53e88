"""The UI's connection to a sandbox: the real Sandbox and the scripted stand-in of the tests
both satisfy SandboxConnection, member for member, and raise the same Superseded."""

from __future__ import annotations

import asyncio
import inspect

import pytest

import modbox.sandbox
from modbox.report import Report
from modbox.sandbox import Sandbox
from modbox.sandbox.host.api import Progress, SandboxConnection, Superseded
from modbox.testing import scripted_sandbox as scripted
from modbox.testing.scripted_sandbox import ScriptedSandbox

MEMBERS = sorted(
    name for name in vars(SandboxConnection)
    if not name.startswith("_") and name not in ("register",)
)
METHODS = [n for n in MEMBERS if not isinstance(vars(SandboxConnection)[n], property)]
PROPERTIES = [n for n in MEMBERS if isinstance(vars(SandboxConnection)[n], property)]
CLASSES = [Sandbox, ScriptedSandbox]


def test_the_protocol_names_what_the_ui_uses():
    assert METHODS == ["cancel", "close", "run_async", "start", "wait_ready"]
    assert PROPERTIES == ["ready", "restarts", "tier", "tier_reasons"]


def _parameters(function) -> list[tuple[str, object, object]]:
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
    ]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", METHODS)
def test_each_method_takes_the_protocols_parameters(cls, name):
    expected, actual = getattr(SandboxConnection, name), getattr(cls, name)
    assert _parameters(actual) == _parameters(expected)
    assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected)


@pytest.mark.parametrize("name", PROPERTIES)
def test_each_property_is_there_on_both(name):
    real = Sandbox(tier="plain")  # not started: nothing runs
    try:
        stand_in = ScriptedSandbox(lambda source: Report(ok=True))
        for obj in (real, stand_in):
            assert getattr(obj, name) is not None or name == "ready"
            assert isinstance(getattr(obj, name), type(getattr(real, name)))
    finally:
        real.close()


def test_one_superseded_and_one_progress_for_both():
    assert scripted.Superseded is modbox.sandbox.Superseded is Superseded
    assert scripted.Progress is modbox.sandbox.Progress is Progress


def test_a_scripted_run_replaced_by_a_newer_one_raises_the_sandboxs_superseded():
    stand_in = ScriptedSandbox(lambda source: Report(ok=True, stdout=source), delay=0.2)

    async def two_runs():
        first = asyncio.ensure_future(stand_in.run_async("first"))
        await asyncio.sleep(0)
        second = await stand_in.run_async("second")
        with pytest.raises(modbox.sandbox.Superseded):
            await first
        return second

    assert asyncio.run(two_runs()).stdout == "second"
