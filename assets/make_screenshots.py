"""Make the README's screenshots from the real app on the real sandbox, headless.

    python assets/make_screenshots.py              # writes assets/*.svg
    python assets/make_screenshots.py play-values  # only the scenes named

Play mode: each scene opens a template, runs it, shows one pane. Lessons: `modbox learn` with
prepared progress plays what a learner does (a menu with progress, a prediction answered wrong
with certainty, the task with its checks and a hint). `modbox inspect` prints an example. Every
picture is a fixed size and theme with the cursor not blinking, so it shows exactly what a learner
sees. Rerun it whenever the UI changes.
"""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text

from modbox.lessons.loader import load_catalog
from modbox.lessons.progress import ProgressStore
from modbox.lessons.session import LessonSession
from modbox.ui.app import ModboxApp
from modbox.ui.learn_app import LearnApp
from modbox.ui.screens.lesson import LessonScreen
from modbox.ui.screens.prediction import PredictionScreen
from modbox.ui.templates import template

HERE = Path(__file__).resolve().parent
SIZE = (150, 40)
PLAY_SCENES = [
    # (file written, template, pane, what it shows)
    ("play-modules.svg", "mlp", "modules", "an MLP's registered modules and counts"),
    ("play-findings.svg", "module_list", "findings", "layers in a plain list, found and pointed at"),
    ("play-hooks.svg", "hooks_demo", "hooks", "hook events, and a .forward() call that skips them"),
    ("play-state-dict.svg", "buffers", "state_dict", "buffers, and what state_dict() leaves out"),
]


async def until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 180
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: nothing within 180 s")
        await pilot.pause(0.1)


async def save(app, pilot, name: str) -> None:
    for editor in app.screen.query("TextArea"):
        editor.cursor_blink = False
    app.clear_notifications()
    await pilot.pause(0.5)
    await pilot.wait_for_scheduled_animations()
    app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote assets/{name}")


async def play_scene(name: str, template_id: str, pane: str) -> None:
    path = Path.cwd() / f"{template_id}.py"
    path.write_text(template(template_id).text)
    app = ModboxApp(file=path)
    async with app.run_test(size=SIZE) as pilot:
        ws = app.workspace
        await until(pilot, lambda: ws.last_report is not None and not ws.running, template_id)
        ws.show_pane(pane)
        await save(app, pilot, name)


async def values_scene() -> None:
    """The Values pane on the deep sigmoid stack: gradients that vanish towards the input."""
    path = Path.cwd() / "vanishing_gradient.py"
    path.write_text((HERE.parent / "examples" / "vanishing_gradient.py").read_text())
    app = ModboxApp(file=path)
    async with app.run_test(size=SIZE) as pilot:
        ws = app.workspace
        await until(pilot, lambda: ws.last_report is not None and not ws.running, "the sigmoid stack")
        ws.show_pane("values")
        pane = ws.query_one("ValuesPane")
        table = pane.query_one("DataTable")
        table.focus()
        await pilot.press("down")  # the first Linear: the layer whose gradient vanished
        await until(pilot, lambda: pane.selected is not None and pane.selected.path == "0", "the first layer")
        await save(app, pilot, "play-values.svg")


async def menu_scene() -> None:
    catalog = load_catalog()
    store = ProgressStore()
    store.update("objects", lambda p: setattr(p, "solved", True))
    LessonSession(catalog.get("anatomy"), store).next()
    app = LearnApp(catalog, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        await save(app, pilot, "lesson-menu.svg")


async def prediction_scene() -> None:
    catalog = load_catalog()
    session = LessonSession(catalog.get("registration"), ProgressStore())
    session.answer("q-early", "error", 2)
    session.next()
    session.next()
    app = LearnApp(catalog, ProgressStore(), "registration")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PredictionScreen), "the prediction")
        await pilot.press("1", "3")
        await until(pilot, lambda: app.screen.phase == "reveal", "the reveal")
        await save(app, pilot, "lesson-prediction.svg")


async def task_scene(name: str = "lesson-task.svg", size: tuple[int, int] = SIZE) -> None:
    catalog = load_catalog()
    session = LessonSession(catalog.get("registration"), ProgressStore())
    for prediction, choice in (("q-early", "error"), ("q-tensor", "zero")):
        session.answer(prediction, choice, 2)
    while not session.step.task:
        session.next()
    app = LearnApp(catalog, ProgressStore(), "registration")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson")
        lesson = app.screen
        await until(pilot, lambda: lesson.checked_report is not None, "the starter's run")
        await pilot.press("alt+h")
        await save(app, pilot, name)


def inspect_shot() -> None:
    """`modbox inspect examples/plain_list.py`, as the terminal shows it."""
    example = HERE.parent / "examples" / "plain_list.py"
    shown = subprocess.run(
        [sys.executable, "-m", "modbox", "inspect", str(example), "--events", "6"],
        capture_output=True, text=True,
        env={**os.environ, "FORCE_COLOR": "1", "COLUMNS": "110"},
    ).stdout
    console = Console(record=True, width=110, force_terminal=True, file=open(os.devnull, "w"))
    console.print(Text("$ modbox inspect examples/plain_list.py --events 6", style="bold"))
    console.print(Text.from_ansi(shown))
    console.save_svg(str(HERE / "inspect.svg"), title="modbox inspect")
    print("wrote assets/inspect.svg")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        scenes = [functools.partial(play_scene, name, t, pane) for name, t, pane, _ in PLAY_SCENES]
        only = sys.argv[1:]  # scene names (play-values, lesson-menu, ...) to make only those
        # a 100x30 terminal: the lesson's text alone, full width (f8 shows the code, then the panes)
        small = functools.partial(task_scene, "lesson-100x30.svg", (100, 30))
        named = {name.removesuffix(".svg"): scene for name, scene in zip(
            [n for n, *_ in PLAY_SCENES] + ["play-values", "lesson-menu", "lesson-prediction", "lesson-task",
                                            "lesson-100x30"],
            scenes + [values_scene, menu_scene, prediction_scene, task_scene, small])}
        for name, scene in named.items():
            if only and name not in only:
                continue
            os.environ["MODBOX_HOME"] = tempfile.mkdtemp(prefix="modbox-shots-", dir=tmp)
            asyncio.run(scene())
        if not only or "inspect" in only:
            inspect_shot()


if __name__ == "__main__":
    sys.exit(main())
