"""The web server behind ``modbox serve``: textual-serve's page and websocket, with a guard.

textual-serve starts one app process per websocket and relays its frames; it trusts every request.
``ModboxServer`` keeps its relay and its static files (xterm.js, the font) and puts in front:

- a token: the printed URL carries it, the first request that shows it gets a cookie (HttpOnly,
  SameSite=Strict, named after the port so two servers on one host do not share it) and is
  redirected to the URL without it, so the websocket and the assets need nothing more. With no
  token (a unix socket, for the JupyterHub launcher) the socket's folder is the gate.
- an origin check: a request that carries an ``Origin`` (every websocket from a browser, every
  cross-site fetch) must come from the page's own origin, so another site, or another server on
  this host, cannot drive a learner's modbox from their browser;
- a limit on open tabs, with a page that says so (and tries again by itself);
- tab processes started without a shell, in a session of their own, that end with their tab:
  asked to quit, then terminated, then killed (the sandbox's processes die with the app).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import os
import signal
import sys
from pathlib import Path
from string import Template
from urllib.parse import urlencode, urlsplit

import textual_serve
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("modbox.serve")

STATIC = Path(textual_serve.__file__).parent / "static"  # xterm.js, its CSS and the font
PAGES = Path(__file__).parent / "pages"
QUIT_WAIT = 5.0  # seconds a tab's app has to quit by itself before it is terminated
KILL_WAIT = 5.0  # then to end after SIGTERM before it is killed


def _page(name: str, **values: str) -> str:
    return Template((PAGES / name).read_text(encoding="utf-8")).substitute(values)


def message_page(status: int, title: str, message: str, retry: bool = False) -> web.Response:
    refresh = '<meta http-equiv="refresh" content="5" />' if retry else ""
    body = _page("message.html", title=html.escape(title), message=html.escape(message),
                 refresh=refresh)
    return web.Response(status=status, text=body, content_type="text/html")


class TabProcess(AppService):
    """One tab's modbox: ``python -m modbox.serve.tab ARGS``, in a session of its own so that it
    can be ended with everything it started, and never via a shell."""

    def __init__(self, app_args: list[str], **kwargs):
        super().__init__(command="", **kwargs)
        self.app_args = app_args

    async def _open_app_process(self, width: int = 80, height: int = 24):
        environment = self._build_environment(width=width, height=height)
        environment["MODBOX_SERVE_PID"] = str(os.getpid())
        self._process = process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "modbox.serve.tab", *self.app_args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit (it closes its sandbox); if it has not ended after QUIT_WAIT,
        terminate its process group, and kill it after KILL_WAIT."""
        process, task = self._process, self._task
        if process is None or task is None:
            return
        self._task = None
        await self.send_meta({"type": "quit"})
        for sig, wait in ((None, QUIT_WAIT), (signal.SIGTERM, KILL_WAIT), (signal.SIGKILL, None)):
            if sig is not None:
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    pass
            try:
                await asyncio.wait_for(process.wait(), wait)
                break
            except asyncio.TimeoutError:
                log.warning("the modbox of a closed tab (pid %s) did not end; sending %s",
                            process.pid, "SIGKILL" if sig else "SIGTERM")
        await task


class ModboxServer(Server):
    """Serves ``modbox APP_ARGS`` (the lesson menu, ``learn ID`` or ``play FILE``), one process a tab."""

    def __init__(self, app_args: list[str], token: str | None, max_tabs: int, cookie_name: str):
        super().__init__(command="modbox " + " ".join(app_args), title="modbox", statics_path=STATIC)
        self.app_args = app_args
        self.token = token
        self.max_tabs = max_tabs
        self.cookie_name = cookie_name
        self.tabs: dict[web.WebSocketResponse, TabProcess | None] = {}

    # -- the aiohttp application

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes([
            web.get("/", self.handle_index),
            web.get("/ws", self.handle_websocket),
            web.static("/static", STATIC),
        ])
        app.on_shutdown.append(self._close_tabs)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            return message_page(
                403, "Not from this page",
                f"This modbox only answers its own page; a request from {origin} was refused.")
        if self.token is None:
            return await handler(request)
        given = request.query.get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            if request.path == "/":
                # Keep the token out of the address bar and history: the cookie carries it now.
                rest = {k: v for k, v in request.query.items() if k != "token"}
                response = web.HTTPFound("./" + (f"?{urlencode(rest)}" if rest else ""))
                self._set_cookie(response)
                raise response
            return await handler(request)
        cookie = request.cookies.get(self.cookie_name)
        if cookie is not None and hmac.compare_digest(cookie, self.token):
            return await handler(request)
        return message_page(
            403, "This link needs its token",
            "Open the full link that `modbox serve` printed when it started: it ends with "
            "?token=... . Ask whoever started modbox for it if you did not.")

    def _set_cookie(self, response: web.StreamResponse) -> None:
        response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/")

    # -- pages

    async def handle_index(self, request: web.Request) -> web.Response:
        if len(self.tabs) >= self.max_tabs:
            return self._full_page()
        font_size = max(8, min(to_int(request.query.get("fontsize", "16"), 16), 40))
        return web.Response(text=_page("app.html", font_size=str(font_size)),
                            content_type="text/html")

    def _full_page(self) -> web.Response:
        return message_page(
            503, "modbox is full",
            f"This modbox already has {len(self.tabs)} tabs open, the most it allows "
            f"(modbox serve --max-tabs {self.max_tabs}). Close a modbox tab you no longer use: "
            "this page tries again every few seconds.", retry=True)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One tab: its own modbox process for as long as the websocket is open."""
        if len(self.tabs) >= self.max_tabs:
            return self._full_page()
        websocket = web.WebSocketResponse(heartbeat=15)  # a lost connection ends within ~30 s
        self.tabs[websocket] = None
        try:
            await websocket.prepare(request)
            tab = TabProcess(
                self.app_args,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            self.tabs[websocket] = tab
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await tab.start(width, height)
            log.info("tab opened: modbox pid %s (%d open)", tab.pid, len(self.tabs))
            try:
                await self._process_messages(websocket, tab)
            except (ValueError, AssertionError, KeyError, TypeError):
                log.warning("a tab sent a message modbox does not understand; closing it")
            finally:
                await tab.stop()
                log.info("tab closed: modbox pid %s ended", tab.pid)
        except ConnectionError:
            pass
        finally:
            self.tabs.pop(websocket, None)
            if not websocket.closed:
                await websocket.close()
        return websocket

    async def _close_tabs(self, _app: web.Application) -> None:
        """On shutdown: close every tab's websocket, which ends its process (handle_websocket)."""
        await asyncio.gather(*(ws.close() for ws in list(self.tabs)), return_exceptions=True)
