"""The command line itself: help, version and where options may go."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modbox.cli import build_parser, learn_command


@pytest.mark.parametrize(
    "argv",
    [
        ["--lessons", "mine", "learn", "registration"],
        ["learn", "registration", "--lessons", "mine"],
        ["--lessons", "mine", "lessons", "check"],
        ["lessons", "check", "--lessons", "mine"],
    ],
)
def test_lessons_folder_is_kept_before_or_after_the_subcommand(argv):
    assert build_parser().parse_args(argv).lessons == "mine"


def test_no_subcommand_opens_the_lessons():
    args = build_parser().parse_args([])
    assert args.handler is learn_command and args.lessons is None


def test_version_names_modbox_and_torch():
    out = subprocess.run(
        [sys.executable, "-m", "modbox", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("modbox ") and "torch 2." in out


def test_only_version_looks_up_torchs_version(monkeypatch):
    # reading every installed package's metadata for it cost every command 30-50 ms at start-up
    import importlib.metadata

    looked_up = []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: looked_up.append(name) or "2.0")
    build_parser().parse_args(["play", "model.py"])
    assert looked_up == []
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--version"])
    assert looked_up == ["torch"]


@pytest.mark.parametrize("command", [[], ["learn"], ["play"], ["inspect"], ["lessons"], ["doctor"]])
def test_every_help_shows_an_example(command):
    out = subprocess.run(
        [sys.executable, "-m", "modbox", *command, "--help"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "example" in out and "modbox" in out
