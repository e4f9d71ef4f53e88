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
- a spare: a modbox started before any browser asks (its sandbox's worker imports torch, the
  app imports Textual: seconds) that waits for its page's size (tab.py). A browser's request for
  the page takes it (parked under a one-time id that the page's websocket URL carries), or starts
  one when there is no spare, which then has the page and xterm.js's load as a head start. The
  next spare starts SPARE_DELAY later. The spare is a process like a tab's, so it counts against
  the limit: at most ``max_tabs`` modbox run, tabs and spare together, and there is no spare
  while ``max_tabs`` tabs are open. Each modbox serves one tab and ends with it;
- tab processes started without a shell, in a session of their own, that end with their tab:
  asked to quit, then terminated, then killed (the sandbox's processes die with the app).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import os
import secrets
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
PARK_WAIT = 60.0  # seconds a started app waits for its page's websocket before it is ended
# seconds from a tab taking the spare to the next spare's start: the start takes seconds of CPU,
# which would otherwise compete with that tab's own start
SPARE_DELAY = 10.0
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
        super().__init__(command="", write_bytes=self._write_bytes, write_str=self._write_str,
                         close=self._close, **kwargs)
        self.app_args = app_args
        self._websocket: web.WebSocketResponse | None = None
        self._backlog: list[bytes | str | None] = []  # output before the websocket; None: close

    async def _write_bytes(self, data: bytes) -> None:
        if self._websocket is None:
            self._backlog.append(data)
        else:
            await self._websocket.send_bytes(data)

    async def _write_str(self, data: str) -> None:
        if self._websocket is None:
            self._backlog.append(data)
        else:
            await self._websocket.send_str(data)

    async def _close(self) -> None:
        if self._websocket is None:
            self._backlog.append(None)
        else:
            await self._websocket.close()

    async def attach(self, websocket: web.WebSocketResponse) -> None:
        """Send what the app wrote before its tab connected, then everything as it comes."""
        while self._backlog:
            item = self._backlog.pop(0)
            if item is None:
                await websocket.close()
            elif isinstance(item, bytes):
                await websocket.send_bytes(item)
            else:
                await websocket.send_str(item)
        self._websocket = websocket  # no await since the backlog was seen empty: nothing slips by

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

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

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

    def __init__(self, app_args: list[str], token: str | None, max_tabs: int, cookie_name: str,
                 keep_spare: bool = True):
        super().__init__(command="modbox " + " ".join(app_args), title="modbox", statics_path=STATIC)
        self.app_args = app_args
        self.token = token
        self.max_tabs = max_tabs
        self.cookie_name = cookie_name
        self.tabs: dict[web.WebSocketResponse, TabProcess | None] = {}
        self.parked: dict[str, TabProcess] = {}  # started for a page, waiting for its websocket
        self.keep_spare = keep_spare  # off: no memory held for a tab not yet asked for
        self.spare: TabProcess | None = None  # started for the next page
        self._spare_timer: asyncio.TimerHandle | None = None
        self._closing = False

    # -- the aiohttp application

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes([
            web.get("/", self.handle_index),
            web.get("/ws", self.handle_websocket),
            web.get("/ws/{tab}", self.handle_websocket),
            web.static("/static", STATIC),
        ])
        app.on_startup.append(self._start_spare)
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

    @property
    def open_tabs(self) -> int:
        return len(self.tabs) + len(self.parked)

    async def _start_spare(self, _app: web.Application | None = None) -> None:
        """Start the spare, if there is none and room for one (it counts against --max-tabs)."""
        self._spare_timer = None
        if self._closing or self.spare is not None or not self.keep_spare:
            return
        if self.open_tabs >= self.max_tabs:
            log.info("no spare modbox: %d of %d tabs open", self.open_tabs, self.max_tabs)
            return
        spare = TabProcess(self.app_args, download_manager=self.download_manager)
        await spare.start(80, 24)  # it waits for its page's size (tab.py)
        if self._closing or self.spare is not None or self.open_tabs >= self.max_tabs:
            await spare.stop()  # the server began to stop, or tabs came, while it started
            return
        self.spare = spare
        log.info("spare modbox started: pid %s", spare.pid)

    def _start_spare_later(self) -> None:
        if self._spare_timer is None and not self._closing and self.keep_spare:
            self._spare_timer = asyncio.get_running_loop().call_later(
                SPARE_DELAY, lambda: asyncio.ensure_future(self._start_spare()))

    async def _take_tab(self) -> TabProcess:
        """The spare, or a modbox started now if there is none (or it has ended by itself)."""
        tab, self.spare = self.spare, None
        if tab is not None and not tab.running:
            await tab.stop()
            tab = None
        if tab is None:
            tab = TabProcess(self.app_args, download_manager=self.download_manager)
            await tab.start(80, 24)
        self._start_spare_later()
        return tab

    async def handle_index(self, request: web.Request) -> web.Response:
        if self.open_tabs >= self.max_tabs:
            return self._full_page()
        websocket_path = "ws"
        # Only a browser loading the page as a document takes a modbox now, not a readiness probe
        # (jupyter-server-proxy's) or a script: those would hold a modbox nobody connects to.
        if request.headers.get("Sec-Fetch-Dest") == "document":
            tab_id = secrets.token_urlsafe(16)
            self.parked[tab_id] = await self._take_tab()
            asyncio.get_running_loop().call_later(
                PARK_WAIT, lambda: asyncio.ensure_future(self._unpark(tab_id)))
            websocket_path = f"ws/{tab_id}"
        font_size = max(8, min(to_int(request.query.get("fontsize", "16"), 16), 40))
        return web.Response(
            text=_page("app.html", font_size=str(font_size), websocket_path=websocket_path),
            content_type="text/html")

    async def _unpark(self, tab_id: str) -> None:
        """End an app whose page never connected (closed while loading, or not a browser)."""
        tab = self.parked.pop(tab_id, None)
        if tab is not None:
            await tab.stop()
            self._start_spare_later()

    def _full_page(self) -> web.Response:
        return message_page(
            503, "modbox is full",
            f"This modbox already has {self.open_tabs} tabs open, the most it allows "
            f"(modbox serve --max-tabs {self.max_tabs}). Close a modbox tab you no longer use: "
            "this page tries again every few seconds.", retry=True)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        """One tab: its own modbox process for as long as the websocket is open."""
        tab = self.parked.pop(request.match_info.get("tab", ""), None)
        if tab is None and self.open_tabs >= self.max_tabs:
            return self._full_page()
        websocket = web.WebSocketResponse(heartbeat=15)  # a lost connection ends within ~30 s
        self.tabs[websocket] = tab
        try:
            await websocket.prepare(request)
            if tab is None:
                tab = self.tabs[websocket] = await self._take_tab()
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await tab.set_terminal_size(width, height)  # the first packet it reads
            await tab.attach(websocket)
            log.info("tab opened: modbox pid %s (%d open)", tab.pid, len(self.tabs))
            await self._process_messages(websocket, tab)
        except (ValueError, AssertionError, KeyError, TypeError):
            log.warning("a tab sent a message modbox does not understand; closing it")
        except ConnectionError:
            pass
        finally:
            if tab is not None:
                await tab.stop()
                log.info("tab closed: modbox pid %s ended", tab.pid)
            self.tabs.pop(websocket, None)
            self._start_spare_later()
            if not websocket.closed:
                await websocket.close()
        return websocket

    async def _close_tabs(self, _app: web.Application) -> None:
        """On shutdown: close every tab's websocket, which ends its process (handle_websocket),
        and end the modbox that no tab has yet."""
        self._closing = True
        if self._spare_timer is not None:
            self._spare_timer.cancel()
        spare, self.spare = self.spare, None
        await asyncio.gather(*(ws.close() for ws in list(self.tabs)),
                             *(self._unpark(tab_id) for tab_id in list(self.parked)),
                             *([spare.stop()] if spare is not None else []),
                             return_exceptions=True)
