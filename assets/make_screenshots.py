"""Make the README's screenshots from the real app: `modbox play` on the real sandbox, headless.

    python assets/make_screenshots.py          # writes assets/play-*.svg

Each scene opens a template, runs it in the sandbox, shows one pane and saves the screen as SVG
(fixed size and theme, cursor not blinking), so the pictures show exactly what a learner sees.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from modbox.ui.app import ModboxApp
from modbox.ui.templates import template

HERE = Path(__file__).resolve().parent
SIZE = (150, 40)
SCENES = [
    # (file written, template, pane, what it shows)
    ("play-modules.svg", "mlp", "modules", "an MLP's registered modules and counts"),
    ("play-findings.svg", "module_list", "findings", "layers in a plain list, found and pointed at"),
    ("play-hooks.svg", "hooks_demo", "hooks", "hook events, and a .forward() call that skips them"),
    ("play-state-dict.svg", "buffers", "state_dict", "buffers, and what state_dict() leaves out"),
]


async def scene(workdir: Path, out: Path, template_id: str, pane: str) -> None:
    path = workdir / f"{template_id}.py"
    path.write_text(template(template_id).text)
    app = ModboxApp(file=path)
    async with app.run_test(size=SIZE) as pilot:
        ws = app.workspace
        deadline = time.monotonic() + 180
        while ws.last_report is None or ws.running:
            if time.monotonic() > deadline:
                raise SystemExit(f"{template_id}: the sandbox gave no report within 180 s")
            await pilot.pause(0.1)
        ws.show_pane(pane)
        ws.editor.cursor_blink = False
        app.clear_notifications()
        await pilot.pause(0.5)
        await pilot.wait_for_scheduled_animations()
        app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> None:
    os.environ["MODBOX_HOME"] = tempfile.mkdtemp(prefix="modbox-shots-")
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        for name, template_id, pane, about in SCENES:
            asyncio.run(scene(Path(tmp), HERE / name, template_id, pane))
            print(f"wrote assets/{name}: {about}")


if __name__ == "__main__":
    sys.exit(main())
