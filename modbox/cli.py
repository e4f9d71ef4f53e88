"""The ``modbox`` command line: parse arguments, then hand over to the part that does the work.

Each command's handler is a small function here that imports the part doing the work when it is
called, so that ``modbox --help`` and ``modbox inspect`` never pay for Textual, and nothing here
ever imports torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from modbox import __version__

EXAMPLES = """\
examples:
  modbox                          open the lesson menu
  modbox learn registration       jump to one lesson
  modbox play model.py            experiment freely with a file
  modbox inspect model.py         run a file and print what nn.Module registered
  modbox lessons check lessons/   validate a lesson folder
  modbox doctor                   check torch, the sandbox and the terminal
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = "not installed"
    return f"modbox {__version__} (torch {torch_version})"


def learn_command(args: argparse.Namespace) -> int | None:
    from modbox.ui.launch import learn

    return learn(args)


def play_command(args: argparse.Namespace) -> int | None:
    from modbox.ui.launch import play

    return play(args)


def inspect_command(args: argparse.Namespace) -> int | None:
    from modbox.inspect_cmd import main

    return main(args)


def lessons_command(args: argparse.Namespace) -> int | None:
    from modbox.lessons.cli import main

    return main(args)


def doctor_command(args: argparse.Namespace) -> int | None:
    from modbox.sandbox.host.doctor import main

    return main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modbox",
        description="Learn how PyTorch's nn.Module really works.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument(
        "--lessons", metavar="DIR", help="load lessons from DIR instead of the built-in ones"
    )
    parser.set_defaults(handler=learn_command, lesson_id=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int | None], help: str, example: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(handler=handler)
        return p

    learn = command(
        "learn", learn_command, "follow the guided lessons", "modbox learn registration"
    )
    learn.add_argument("lesson_id", nargs="?", metavar="ID", help="lesson to open")
    learn.add_argument(
        "--lessons", metavar="DIR", default=argparse.SUPPRESS, help="load lessons from DIR"
    )

    play = command(
        "play", play_command, "experiment freely in the editor", "modbox play model.py"
    )
    play.add_argument("file", nargs="?", metavar="FILE", help="file to open (created if missing)")

    inspect = command(
        "inspect",
        inspect_command,
        "run FILE in the sandbox and print what nn.Module registered",
        "modbox inspect examples/plain_list.py --events 20",
    )
    inspect.add_argument("file", metavar="FILE", help="Python file to run")
    inspect.add_argument("--json", action="store_true", help="print the full report as JSON")
    inspect.add_argument(
        "--eval", action="append", default=[], metavar="EXPR", dest="evaluate",
        help="a Python expression to evaluate in the program's final namespace after it ran "
             "(as a lesson's value check does); repeat for more",
    )
    inspect.add_argument("--timeout", type=float, metavar="S", help="wall-clock limit in seconds")
    inspect.add_argument("--memory", type=int, metavar="MB", help="memory budget in MiB")
    inspect.add_argument(
        "--sandbox", choices=["bwrap", "landlock", "plain"], help="force an isolation tier"
    )
    inspect.add_argument(
        "--events", type=int, default=10, metavar="N", help="how many events to print (default 10)"
    )

    lessons = command(
        "lessons", lessons_command, "list lessons, or check a lesson folder",
        "modbox lessons check lessons/",
    )
    lessons.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    lessons.add_argument("dir", nargs="?", metavar="DIR", help="lesson folder (for check)")
    lessons.add_argument(
        "--lessons", metavar="DIR", default=argparse.SUPPRESS, help="load lessons from DIR"
    )

    command("doctor", doctor_command, "check torch, the sandbox and the terminal", "modbox doctor")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
