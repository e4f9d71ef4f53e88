"""The layering rules of docs/architecture.md, proved in a fresh interpreter: torch only in the
sandbox worker and the probe, textual only under modbox/ui/."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Modules the UI process imports. None of them may pull in torch.
UI_SIDE = [
    "modbox.cli",
    "modbox.report",
    "modbox.storage",
    "modbox.render",
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
