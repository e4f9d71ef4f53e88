"""``modbox inspect FILE``: run a file in the sandbox and print its Report.

Exit status: 0 when the code ran to the end, 1 when it failed (the report is still printed),
2 when the command itself was used wrongly (missing or unreadable file, bad values).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from modbox import render
from modbox.report import memory_expression, memory_from
from modbox.sandbox import Limits, Sandbox, TierUnavailable
from modbox.sandbox.host.reads import BadReadPath, extra_reads
from modbox.source_file import UnreadableFile, read_source

USAGE_ERROR = 2


def main(args) -> int:
    try:
        source = _read_source(args.file)
        limits = _limits(args)
        extra = extra_reads(args.file, getattr(args, "allow_read", None))
        sandbox = Sandbox(tier=args.sandbox, limits=limits, reads=extra)
    except (_UsageError, BadReadPath) as e:
        return _usage(str(e))
    except (ValueError, TierUnavailable) as e:
        return _usage(f"{e}. Leave out --sandbox (and MODBOX_SANDBOX) to use the best one here.")
    evaluate = list(getattr(args, "evaluate", None) or ())
    memory_for = getattr(args, "memory_for", None)
    if memory_for is not None:
        evaluate.append(memory_expression(memory_for))
    with sandbox:
        report = sandbox.run(source, filename=args.file, evaluate=evaluate)
    if memory_for is not None:
        report.memory = memory_from(report, memory_for)
        report.values = [v for v in report.values if v.expr != evaluate[-1]]
    if args.json:
        print(report.to_json(indent=2))
    else:
        render.print_report(report, Console(), events=args.events)
    return 0 if report.ok else 1


class _UsageError(Exception):
    pass


def _read_source(file: str) -> str:
    try:
        return read_source(Path(file)).text
    except UnreadableFile as e:
        raise _UsageError(str(e)) from None


def _limits(args) -> Limits:
    limits = Limits()
    if args.timeout is not None:
        if not args.timeout > 0:
            raise _UsageError(
                f"--timeout must be a positive number of seconds, not {args.timeout:g}."
            )
        limits.wall = args.timeout
    if args.memory is not None:
        if args.memory <= 0:
            raise _UsageError(f"--memory must be a positive number of MiB, not {args.memory}.")
        limits.memory_mb = args.memory
    if args.events is not None and args.events < 0:
        raise _UsageError(f"--events must be 0 or more, not {args.events}.")
    return limits


def _usage(message: str) -> int:
    print(f"modbox inspect: {message}", file=sys.stderr)
    return USAGE_ERROR
