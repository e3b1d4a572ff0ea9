"""The frontend's ASGI app: routing, the session cookie, and error pages."""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable

from apps.boutique.frontend.forms import InvalidForm
from apps.boutique.frontend.pages import COOKIE_MAX_AGE, SESSION_COOKIE, Pages
from apps.boutique.frontend.services import FrontendServices
from apps.boutique.frontend.static import PREFIX, StaticFiles
from apps.boutique.frontend.web import (
    ASGIApp,
    BodyTooLarge,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    read_request,
)

log = logging.getLogger("boutique.frontend")

Handler = Callable[[Request, str], Awaitable[Response]]

HTTP_SERVER = "weaver"
"""The HTTP server every variant serves the frontend with: `weaver.httpserver` (httptools on
uvloop). uvicorn, weaver's default, cost ~0.3 ms more CPU per page on these VMs when requests
arrive apart (measured with `python -m apps.boutique_bench`); the shop needs no WebSocket."""

ROBOTS_TXT = b"User-agent: *\nDisallow: /"
"""What the original answers on /robots.txt."""

access_log = logging.getLogger("boutique.access")


class Frontend:
    """Routes requests to `Pages`; adds `shop_session-id` if missing; renders errors.

    Methods per route are the original's: GET and HEAD for pages, POST for forms. HEAD runs
    the GET handler; the HTTP server sends the headers only. One access-log line per request.
    """

    def __init__(
        self, services: FrontendServices, rng: random.Random | None = None, static: StaticFiles | None = None
    ) -> None:
        self.pages = Pages(services, rng)
        self.static = static or StaticFiles.packaged()
        p = self.pages
        self._routes: dict[tuple[str, str], Handler] = {
            ("GET", "/"): p.home,
            ("HEAD", "/"): p.home,
            ("GET", "/cart"): p.view_cart,
            ("HEAD", "/cart"): p.view_cart,
            ("POST", "/cart"): p.add_to_cart,
            ("POST", "/cart/empty"): p.empty_cart,
            ("POST", "/setCurrency"): p.set_currency,
            ("GET", "/logout"): p.logout,
            ("POST", "/cart/checkout"): p.checkout,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        start = time.perf_counter()
        try:
            req = await read_request(scope, receive)
        except BodyTooLarge as e:
            resp = Response(status=413, body=str(e).encode(), content_type="text/plain; charset=utf-8")
        else:
            resp = await self.handle(req)
        await resp.send(send)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %d %d %.2fms",
                scope["method"],
                scope["path"],
                resp.status,
                len(resp.body),
                (time.perf_counter() - start) * 1000,
            )

    async def handle(self, req: Request) -> Response:
        """The response to one request."""
        if req.method in ("GET", "HEAD"):
            if req.path == "/_healthz":
                return Response(body=b"ok", content_type="text/plain")
            if req.path == "/robots.txt":
                return Response(body=ROBOTS_TXT, content_type="text/plain; charset=utf-8")
            if req.path.startswith(PREFIX):
                return self.static.respond(req.path, req.headers)
        elif req.path in ("/_healthz", "/robots.txt") or req.path.startswith(PREFIX):
            return _method_not_allowed()
        session_id = req.cookies.get(SESSION_COOKIE) or str(uuid.uuid4())
        try:
            resp = await self._dispatch(req, session_id)
        except InvalidForm as e:
            resp = self.pages.error(req, session_id, 422, str(e))
        except Exception as e:  # noqa: BLE001 - any backend failure is a 500 page
            log.warning("%s %s failed: %r", req.method, req.path, e)
            resp = self.pages.error(req, session_id, 500, f"{type(e).__name__}: {e}")
        if SESSION_COOKIE not in req.cookies:
            resp.set_cookie(SESSION_COOKIE, session_id, COOKIE_MAX_AGE)
        return resp

    async def _dispatch(self, req: Request, session_id: str) -> Response:
        handler = self._routes.get((req.method, req.path))
        if handler is not None:
            return await handler(req, session_id)
        if req.path.startswith("/product/") and req.method in ("GET", "HEAD"):
            product_id = req.path.removeprefix("/product/")
            if product_id and "/" not in product_id:
                return await self.pages.product(req, session_id, product_id)
        if any(path == req.path for _, path in self._routes):
            return _method_not_allowed()
        return Response(status=404, body=b"404 page not found", content_type="text/plain")


def _method_not_allowed() -> Response:
    return Response(status=405, body=b"method not allowed", content_type="text/plain")


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown; the app holds no resources of its own."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def make_app(
    services: FrontendServices, rng: random.Random | None = None, static: StaticFiles | None = None
) -> ASGIApp:
    """The frontend as an ASGI app over `services` (and the packaged static files by default)."""
    return Frontend(services, rng, static)
