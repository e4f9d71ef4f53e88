"""``modbox serve [learn ID | play FILE]``: check the flags, listen, print the URL, serve."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import io
import ipaddress
import os
import secrets
import signal
import socket
import sys
from pathlib import Path

EXTRA_HINT = ("Install it with: pip install 'modbox[serve]' (from a checkout: "
              "pip install -e '.[serve]').")
SERVABLE = ("learn", "play")


def _fail(message: str) -> int:
    print(f"modbox serve: {message}", file=sys.stderr)
    return 2


def app_args(args) -> list[str] | str:
    """The modbox command line each tab runs, or the message that says why it cannot be served."""
    what = list(args.app)
    if what and what[0] not in SERVABLE:
        return (f"it serves the lesson menu (modbox serve), one lesson (modbox serve learn ID) or "
                f"the editor (modbox serve play FILE), not {what[0]!r}.")
    from modbox.cli import build_parser

    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            parsed = build_parser().parse_args(what)
    except SystemExit:
        error = said.getvalue().strip().splitlines()[-1:] or ["not a modbox command"]
        return f"modbox {' '.join(what)}: {error[0].removeprefix('modbox: error: ')}"
    for name in ("file", "lessons"):
        value = getattr(parsed, name, None)
        if value:  # absolute, so that a tab finds it whatever its folder
            index = what.index(value)
            what[index] = str(Path(value).expanduser().resolve())
    lessons = getattr(args, "lessons", None)
    if lessons:
        from modbox.lessons.loader import missing_folder

        problem = missing_folder(lessons)
        if problem:
            return problem
        what = ["--lessons", str(Path(lessons).expanduser().resolve()), *what]
    return what


def listen(host: str, port: int) -> socket.socket | str:
    """A listening socket on ``host:port``, or the message that says why there cannot be one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return (f"--host {host}: no such address on this machine ({exc.strerror}). Use one of its "
                "addresses, 127.0.0.1 for this machine only or 0.0.0.0 for every network.")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            return (f"port {port} is already in use on {host} (another modbox serve, or another "
                    "program). Pick another with --port, or --port 0 for any free port.")
        if exc.errno == errno.EACCES:
            return (f"port {port} needs administrator rights on this machine. Use a port above "
                    "1023, e.g. --port 8000, or --port 0 for any free port.")
        if exc.errno == errno.EADDRNOTAVAIL:
            return (f"--host {host} is not an address of this machine. Use one of its addresses, "
                    "127.0.0.1 for this machine only or 0.0.0.0 for every network.")
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}."
    sock.setblocking(False)
    return sock


def urls(host: str, port: int, token: str) -> list[str]:
    """The links to print: the host itself, or this machine's name and 127.0.0.1 for 'every address'."""
    try:
        wildcard = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        wildcard = False
    hosts = [socket.gethostname(), "127.0.0.1"] if wildcard else [host]
    return [f"http://{f'[{h}]' if ':' in h else h}:{port}/?token={token}" for h in hosts]


def main(args) -> int:
    try:
        import aiohttp  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as exc:
        return _fail(f"serving to a browser needs the 'serve' extra, and {exc.name} is not "
                     f"installed. {EXTRA_HINT}")
    if args.max_tabs < 1:
        return _fail(f"--max-tabs {args.max_tabs}: give at least 1 (tabs open at once).")
    if not 0 <= args.port <= 65535:
        return _fail(f"--port {args.port}: a port is a number from 1 to 65535 (0: any free port).")
    what = app_args(args)
    if isinstance(what, str):
        return _fail(what)

    from modbox.serve.server import ModboxServer

    if args.unix_socket:
        folder = Path(args.unix_socket).expanduser().resolve().parent
        if not folder.is_dir() or folder.stat().st_mode & 0o077:
            return _fail(f"--unix-socket: {folder} must be an existing folder only you can open "
                         "(chmod 700): it is what keeps other users out, as there is no token.")
        server = ModboxServer(what, token=None, max_tabs=args.max_tabs, cookie_name="modbox",
                              keep_spare=not args.no_spare)
        return _run(server, unix_socket=str(Path(args.unix_socket).expanduser().resolve()))
    sock = listen(args.host, args.port)
    if isinstance(sock, str):
        return _fail(sock)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    server = ModboxServer(what, token=token, max_tabs=args.max_tabs, cookie_name=f"modbox-{port}",
                          keep_spare=not args.no_spare)
    links = urls(args.host, port, token)
    lines = ["modbox is served at:", *(f"    {link}" for link in links),
             "Open that link in a browser: each tab is a modbox of its own "
             f"(at most {args.max_tabs} at once). Press Ctrl+C to stop."]
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        lines.append("Other machines can reach it: the link is sent unencrypted (http), so use "
                     "it on a network you trust, or put modbox behind an HTTPS proxy.")
    return _run(server, sock=sock, banner="\n".join(lines))


def _run(server, sock: socket.socket | None = None, unix_socket: str | None = None,
         banner: str = "") -> int:
    from aiohttp import web

    async def serve() -> None:
        runner = web.AppRunner(server.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        if unix_socket is not None:
            site = web.UnixSite(runner, unix_socket)
            await site.start()
            os.chmod(unix_socket, 0o600)
        else:
            site = web.SockSite(runner, sock)
            await site.start()
        if banner:
            print(banner, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        if server.tabs:
            print(f"modbox serve: stopping, closing {len(server.tabs)} tab(s)", flush=True)
        await runner.cleanup()

    import logging

    logging.basicConfig(level=logging.INFO, format="modbox serve: %(message)s")
    asyncio.run(serve())
    return 0
