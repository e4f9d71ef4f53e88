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


@pytest.mark.parametrize("command", [[], ["learn"], ["play"], ["inspect"], ["lessons"], ["doctor"]])
def test_every_help_shows_an_example(command):
    out = subprocess.run(
        [sys.executable, "-m", "modbox", *command, "--help"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "example" in out and "modbox" in out
