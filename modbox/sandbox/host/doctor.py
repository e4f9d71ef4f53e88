"""``modbox doctor`` (in the app's process): is everything modbox needs here, and which sandbox tier runs learner code?

torch is never imported here: its version comes from package metadata, and CUDA is asked about
in a sandboxed run (a zygote that touched CUDA would break it in every child it forks). Textual
is not imported either: the check loads the tree-sitter grammar its TextArea highlights with.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from modbox.sandbox import Limits, Sandbox, TierUnavailable
from modbox.sandbox.host.tiers import TIERS, problems_by_tier

CUDA_PROBE = """\
import torch
print(torch.__version__)
print(torch.cuda.is_available())
print(torch.cuda.device_count() if torch.cuda.is_available() else 0)
"""


def main(args) -> int:
    console = Console()
    rows: list[tuple[str, str, bool]] = []  # (what, finding, fine)
    python = f"{platform.python_version()} ({sys.executable})"
    rows.append(("Python", python, sys.version_info >= (3, 10)))
    torch_version = _version("torch")
    missing = "not installed: pip install torch==2.13.0"
    rows.append(("torch", torch_version or missing, bool(torch_version)))

    sandbox = None
    try:
        sandbox = Sandbox(limits=Limits(wall=60))
    except (ValueError, TierUnavailable) as e:
        rows.append(("sandbox", str(e), False))
    if sandbox is not None:
        with sandbox:
            rows.append(("sandbox", _tier_line(sandbox), True))
            for tier, why in sandbox.tier_reasons.items():
                rows.append((f"  {tier}", f"not used: {why}", True))
            if torch_version:
                rows.append(_cuda_row(sandbox))
    textual_version = _version("textual")
    rows.append(("textual", textual_version or "not installed", bool(textual_version)))
    rows.append(("highlighting", *_highlighting()))

    table = Table(show_header=False, box=None, padding=(0, 2))
    for what, finding, fine in rows:
        table.add_row(Text(what, style="bold"), Text(finding, style="" if fine else "red"))
    console.print(Text("modbox doctor", style="bold"))
    console.print(table)
    problems = [what for what, _finding, fine in rows if not fine]
    if problems:
        console.print(Text(f"problems: {', '.join(p.strip() for p in problems)}", style="red"))
        return 1
    console.print(Text("everything modbox needs is here", style="green"))
    return 0


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _tier_line(sandbox: Sandbox) -> str:
    notes = {
        "bwrap": "namespaces, read-only system, no network",
        "landlock": "writes only to the scratch folder, no network, no signals out",
        "plain": "reduced isolation: limits and timeouts only",
    }
    available = [t for t in TIERS if not problems_by_tier()[t]]
    return f"{sandbox.tier} ({notes[sandbox.tier]}); available here: {', '.join(available)}"


def _cuda_row(sandbox: Sandbox) -> tuple[str, str, bool]:
    report = sandbox.run(CUDA_PROBE, filename="doctor_cuda.py")
    if not report.ok:
        return ("CUDA", f"could not ask: {report.error.message}", False)
    _torch, available, count = report.stdout.split()
    if available == "True":
        return ("CUDA", f"available, {count} device(s)", True)
    return ("CUDA", "not available (CPU only), asked in a sandboxed run", True)


def _highlighting() -> tuple[str, bool]:
    spec = importlib.util.find_spec("textual")
    if spec is None or not spec.submodule_search_locations:
        return "textual is missing", False
    query = Path(spec.submodule_search_locations[0]) / "tree-sitter" / "highlights" / "python.scm"
    try:
        from tree_sitter import Language
        import tree_sitter_python

        Language(tree_sitter_python.language())
    except (ImportError, OSError, AttributeError, ValueError) as e:
        fix = "pip install 'textual[syntax]'"
        return f"off: the tree-sitter Python grammar does not load ({e}); {fix}", False
    if not query.is_file():
        return f"off: {query} is missing; reinstall textual", False
    return "works (tree-sitter Python grammar loads)", True
