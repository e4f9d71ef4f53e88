"""Helpers shared by the test areas, imported as ``tests.support.<module>``. Test modules import
from here, never from each other or from a conftest."""

from __future__ import annotations

from pathlib import Path

# The checkout's root folder, and the tests folder in it.
ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
