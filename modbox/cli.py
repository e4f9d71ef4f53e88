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
  modbox lessons check --mutants  ... and score its checks against mutants of each solution
  modbox doctor                   check torch, the sandbox and the terminal
  modbox progress --json          export your lessons and answers for a teacher
  modbox serve                    serve modbox to a browser (pip install 'modbox[serve]')
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = "not installed"
    return f"modbox {__version__} (torch {torch_version})"


class VersionAction(argparse.Action):
    """``--version``, worked out only when asked for: finding torch's version reads the metadata
    of every installed package, 30-50 ms that every other command would pay before it starts."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show modbox's and torch's versions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(_version())
        parser.exit()


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


def progress_command(args: argparse.Namespace) -> int | None:
    from modbox.lessons.export import main

    return main(args)


def serve_command(args: argparse.Namespace) -> int | None:
    from modbox.serve.cli import main

    return main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modbox",
        description="Learn how PyTorch's nn.Module really works.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--lessons", metavar="DIR", help="load lessons from DIR instead of the built-in ones"
    )
    _allow_read(parser)
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

    def lessons_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lessons", metavar="DIR", default=argparse.SUPPRESS, help="load lessons from DIR"
        )

    learn = command(
        "learn", learn_command, "follow the guided lessons", "modbox learn registration"
    )
    learn.add_argument("lesson_id", nargs="?", metavar="ID", help="lesson to open")
    lessons_option(learn)
    _allow_read(learn, default=argparse.SUPPRESS)

    play = command(
        "play", play_command, "experiment freely in the editor", "modbox play model.py"
    )
    play.add_argument("file", nargs="?", metavar="FILE", help="file to open (created if missing)")
    _allow_read(play)

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
    inspect.add_argument(
        "--memory-for", metavar="EXPR",
        help='the memory of one training step of the first model on this input, worked out '
             'without allocating it, e.g. "torch.randn(32, 3, 224, 224)"',
    )
    inspect.add_argument("--timeout", type=float, metavar="S", help="wall-clock limit in seconds")
    inspect.add_argument("--memory", type=int, metavar="MB", help="memory budget in MiB")
    inspect.add_argument(
        "--sandbox", choices=["bwrap", "landlock", "plain"], help="force an isolation tier"
    )
    inspect.add_argument(
        "--events", type=int, default=10, metavar="N", help="how many events to print (default 10)"
    )
    _allow_read(inspect)

    lessons = command(
        "lessons", lessons_command, "list lessons, or check a lesson folder",
        "modbox lessons check lessons/",
    )
    lessons.add_argument("action", nargs="?", choices=["list", "check"], default="list")
    lessons.add_argument("dir", nargs="?", metavar="DIR", help="lesson folder (for check)")
    lessons.add_argument(
        "--mutants", nargs="?", const="", metavar="ID", default=None,
        help="also run the checks on mutants of each solution.py (or of lesson ID's) and "
             "report how many they kill",
    )
    lessons.add_argument(
        "--mutant-limit", type=int, default=None, metavar="N",
        help="at most N mutants per lesson (default: all of them)",
    )
    lessons_option(lessons)
    _allow_read(lessons)

    progress = command(
        "progress", progress_command,
        "show your progress, or export it for a teacher with --json",
        "modbox progress --json > progress.json",
    )
    progress.add_argument("--json", action="store_true",
                          help="print lessons, answers and confidence as JSON (docs/classroom.md)")
    lessons_option(progress)

    serve = command(
        "serve", serve_command,
        "serve modbox to a browser: the lesson menu, or learn ID / play FILE (needs modbox[serve])",
        "modbox serve play model.py --port 8000",
    )
    serve.add_argument("app", nargs="*", metavar="[learn ID | play FILE]",
                       help="what each tab opens (default: the lesson menu)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; "
                            "0.0.0.0: every network, still with the token)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free port)")
    serve.add_argument("--max-tabs", type=int, default=4, metavar="N",
                       help="tabs open at once, each a modbox with its own sandbox (default 4)")
    serve.add_argument("--no-spare", action="store_true",
                       help="keep no modbox started ahead for the next tab: each tab then waits "
                            "for Python and torch to start, and an idle server holds no memory")
    lessons_option(serve)
    serve.add_argument("--unix-socket", metavar="PATH",
                       help="listen on a unix socket, without a token, instead of a port (the "
                            "JupyterHub launcher uses it; the socket's folder must be yours only)")

    command("doctor", doctor_command, "check torch, the sandbox and the terminal", "modbox doctor")
    return parser


def _allow_read(parser: argparse.ArgumentParser, default=None) -> None:
    parser.add_argument(
        "--allow-read", action="append", metavar="DIR", dest="allow_read", default=default,
        help="let the learner's programs read DIR (read-only); repeat for more. The folder of "
             "the file being run is readable anyway; config.toml's [sandbox] allow_read adds "
             "folders for good",
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
