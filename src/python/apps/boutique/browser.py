"""What a browser does around each request: a cookie jar, form bodies, redirects as GETs.

Shared by the in-process ASGI test client and the HTTP client of the load generator; a
subclass only says how one request is sent.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from urllib.parse import urlencode

from apps.boutique.frontend.web import apply_set_cookie

MAX_REDIRECTS = 5


async def wait_until(instant: float) -> None:
    """Return at `instant` (a `time.perf_counter()` value), yielding to the loop meanwhile.

    For the last moments before a timed send: it polls (the loop keeps reading other
    responses), so the send is not late by a wake-up. Sleep with the loop's timer until
    shortly before.
    """
    while time.perf_counter() < instant:
        await asyncio.sleep(0)


@dataclass
class Response:
    """Status, headers (lower-case names) and body of one response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    received_at: float = 0.0
    """When the client had read all of it (`time.perf_counter()`), before handling it; 0 if untold."""

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


class Browser(ABC):
    """Requests with this browser's cookies; `follow` follows up to 5 redirects as GETs."""

    cookies: dict[str, str]

    async def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
        send_at: float | None = None,
    ) -> Response:
        """One request (and its redirects if `follow`, as GETs, like a browser after a 302).

        With `send_at` (a `time.perf_counter()` value), the request is prepared at once and
        sent at that instant (not before): a load generator's own work stays out of the time
        it measures from `send_at`.
        """
        resp = await self._once(method, path, form, headers or {}, send_at)
        for _ in range(MAX_REDIRECTS):
            location = resp.header("location")
            if not follow or resp.status not in (301, 302, 303) or location is None:
                break
            resp = await self._once("GET", location, None, {}, None)
        return resp

    async def _once(
        self, method: str, path: str, form: dict[str, str] | None, headers: dict[str, str], send_at: float | None
    ) -> Response:
        hdrs = {k.lower(): v for k, v in headers.items()}
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            hdrs["content-type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        resp = await self._send(method, path, hdrs, body, send_at)
        for k, v in resp.headers:
            if k == "set-cookie":
                apply_set_cookie(self.cookies, v)
        return resp

    @abstractmethod
    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: bytes, send_at: float | None
    ) -> Response:
        """Send one request as is, not before `send_at` if given, and return its response."""
