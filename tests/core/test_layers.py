"""The layering rules of docs/architecture.md, proved in a fresh interpreter: torch only in the
sandbox worker and the probe, textual only under modbox/ui/."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import modbox.sandbox

# Modules the UI process imports. None of them may pull in torch.
UI_SIDE = [
    "modbox.cli",
    "modbox.report",
    "modbox.storage",
    "modbox.render",
    "modbox.presentation",
    "modbox.inspect_cmd",
    "modbox.sandbox",
    "modbox.lessons",
    "modbox.lessons.checks",
    "modbox.lessons.session",
    "modbox.ui.app",
]
# Modules that must stay free of textual as well (usable from the CLI and from checks).
NON_UI = [m for m in UI_SIDE if not m.startswith("modbox.ui")]


def _imported_after(module: str) -> set[str]:
    code = (
        "import importlib, json, sys; importlib.import_module(%r); "
        "print(json.dumps(sorted(sys.modules)))" % module
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, f"{module} does not import:\n{out.stderr}"
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", UI_SIDE)
def test_ui_side_module_never_imports_torch(module):
    assert "torch" not in _imported_after(module)


@pytest.mark.parametrize("module", NON_UI)
def test_non_ui_module_never_imports_textual(module):
    assert "textual" not in _imported_after(module)


# Layers inside modbox/ui, lowest first: a module may import from its own layer and the ones below,
# never from one above (a widget that opened a screen would tie every screen to every widget).
# Modules not named here (engine, keymap, textual_compat, ...) are the base every layer may use.
UI_LAYERS = [
    ("modbox.ui.widgets",),
    ("modbox.ui.workspace", "modbox.ui.run_controller", "modbox.ui.collector"),
    ("modbox.ui.screens",),
    ("modbox.ui.app", "modbox.ui.learn_app", "modbox.ui.launch"),
]
UI_DIR = Path(__file__).resolve().parents[1] / "modbox" / "ui"


def _layer(module: str) -> int:
    for rank, prefixes in enumerate(UI_LAYERS, start=1):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return 0


def _imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the source, the ones inside functions too."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            # ``from modbox.ui import screens`` names a package, not a symbol
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(UI_DIR.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _upward_imports(module: str, source: str) -> list[str]:
    rank = _layer(module)
    return [f"{module}:{line} imports {name}" for line, name in _imports(source) if _layer(name) > rank]


def test_no_module_in_ui_imports_from_a_layer_above_it():
    crossed = [c for path in sorted(UI_DIR.rglob("*.py"))
               for c in _upward_imports(_module_name(path), path.read_text())]
    assert crossed == []


def test_a_widget_importing_a_screen_is_caught():
    # the rule above must see imports inside functions, where an import cycle would otherwise hide
    source = "def open_it():\n    from modbox.ui.screens.play import PlayScreen\n"
    assert _upward_imports("modbox.ui.widgets.editor", source) == [
        "modbox.ui.widgets.editor:2 imports modbox.ui.screens.play",
        "modbox.ui.widgets.editor:2 imports modbox.ui.screens.play.PlayScreen",
    ]
    assert _upward_imports("modbox.ui.screens.play", source) == []


def test_the_panes_word_the_report_through_presentation_not_the_cli_printer():
    printer = [f"{path.name}:{line}" for path in sorted((UI_DIR / "widgets").glob("*.py"))
               for line, module in _imports(path.read_text())
               if module == "modbox.render" or module.startswith("modbox.render.")]
    assert printer == []


# The sandbox's modules that run in the app's process, and those both sides use.
SANDBOX_HOST_SIDE = sorted(
    f"modbox.sandbox.host.{path.stem}"
    for path in (Path(modbox.sandbox.__file__).parent / "host").glob("*.py")
    if path.stem != "__init__"
) + ["modbox.sandbox.wire", "modbox.sandbox.limits", "modbox.sandbox.landlock",
     "modbox.sandbox.privileges"]


@pytest.mark.parametrize("module", SANDBOX_HOST_SIDE)
def test_the_apps_side_of_the_sandbox_never_imports_the_child_side_or_torch(module):
    imported = _imported_after(module)
    assert "torch" not in imported
    assert not [m for m in imported if m.startswith("modbox.sandbox.child")]
