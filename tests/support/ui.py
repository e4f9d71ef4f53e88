"""UI test helpers: the app on a scripted sandbox, driven with Pilot, and waits that print the
screen when they give up. The private MODBOX_HOME every UI test gets is in tests/ui/conftest.py."""

from __future__ import annotations

import asyncio
import html
import re
import time

from modbox.ui.app import ModboxApp
from modbox.testing.scripted_sandbox import ScriptedSandbox
from modbox.ui.workspace import Workspace
from tests.support.ui_reports import report_from_source

SIZE = (160, 50)


def scripted_app(respond=report_from_source, file=None, **sandbox_kwargs):
    """(app, sandbox): the real app on a ScriptedSandbox that answers with ``respond(source)``."""
    sandbox = ScriptedSandbox(respond, **sandbox_kwargs)
    return ModboxApp(file=file, sandbox_factory=lambda: sandbox), sandbox


def drive(app, scenario, size=SIZE, settle=True):
    """Run ``await scenario(pilot)`` inside ``app.run_test``; ``pilot.reports`` collects every
    Report the workspace announced (Workspace.ReportArrived), oldest first.

    With ``settle`` the run that play mode starts on opening is awaited and forgotten first, so
    the scenario starts from a quiet workspace (on the real sandbox too: a report of the scratch
    buffer must not pass for the scenario's first)."""
    reports = []
    seen = []  # a bubbling message passes the hook once per node it reaches: count it once

    def hook(message):
        if isinstance(message, Workspace.ReportArrived) and not any(m is message for m in seen):
            seen.append(message)
            reports.append(message.report)

    async def main():
        async with app.run_test(size=size, message_hook=hook) as pilot:
            pilot.reports = reports
            await pilot.pause()
            if settle:
                await wait_for(pilot, lambda: reports and not app.workspace.running, timeout=180,
                               what="the first run")
                reports.clear()
                if isinstance(app.engine.sandbox, ScriptedSandbox):
                    app.engine.sandbox.runs.clear()
            await scenario(pilot)

    asyncio.run(main())


async def wait_for(pilot, condition, timeout=60.0, what="condition"):
    """Pause until ``condition()`` is true (tests never assert on timings, only on outcomes).
    The limit is generous: a busy machine slows the app, never the outcome."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; "
                                 f"{app_state(pilot.app)}")
        await pilot.pause(0.05)


def app_state(app) -> str:
    """What a failed wait prints: the screens, and the status line when a workspace shows."""
    state = f"screens: {[type(s).__name__ for s in app.screen_stack]}"
    found = app.screen.query("#status-main")
    if found:
        state += f"; status line: {str(found.first().render())!r}"
    return state


async def wait_for_report(pilot, count=1, timeout=60.0):
    """Wait until the workspace has shown ``count`` reports in total."""
    await wait_for(pilot, lambda: len(pilot.reports) >= count, timeout, f"{count} report(s)")
    return pilot.reports[count - 1]


def screen_text(app) -> str:
    """What the terminal shows now, as plain text, one line per row: every visible screen
    composited, the way ``App.export_screenshot`` draws it (modal screens over the ones below)."""
    svg = app.export_screenshot()
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    found = re.findall(r'<text [^>]*?x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>(.*?)</text>', svg)
    bodies = [(float(x), float(y), float(length), html.unescape(body).replace("\xa0", " "))
              for x, y, length, body in found]
    char_width = min(length / len(body) for _, _, length, body in bodies if body)
    rows = sorted({y for _, y, _, _ in bodies})
    for x, y, _, body in bodies:
        row, col = rows.index(y), round(x / char_width)
        for offset, char in enumerate(body):
            if row < height and col + offset < width:
                grid[row][col + offset] = char
    return "\n".join("".join(line).rstrip() for line in grid)
