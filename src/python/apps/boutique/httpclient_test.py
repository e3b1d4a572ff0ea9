"""The HTTP client: cookies, redirects, connections the server closed while idle, timed sends."""

from __future__ import annotations

import asyncio
import time

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.testserver import serving
from apps.boutique.frontend.web import Message, Receive, Send
from apps.boutique.httpclient import HttpBrowser
from apps.boutique.local import local_services


async def test_cookies_redirects_and_stale_connections() -> None:
    async with serving(make_app(local_services()), idle_timeout=0.2) as url:
        b = HttpBrowser(url)
        try:
            r = await b.request("POST", "/setCurrency", {"currency_code": "JPY"}, follow=True)
            assert r.status == 200 and "¥" in r.text and b.cookies["shop_currency"] == "JPY"
            await asyncio.sleep(0.5)  # the server closes the idle connection
            r = await b.request("GET", "/_healthz")
            assert (r.status, r.text) == (200, "ok")
        finally:
            await b.close()


async def test_a_timed_request_is_sent_at_its_instant_and_timed_when_read() -> None:
    arrivals: list[float] = []

    async def app(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrivals.append(time.perf_counter())
        await asyncio.sleep(0.02)  # the answer takes 20 ms
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async with serving(app) as url:
        b = HttpBrowser(url)
        try:
            await b.request("GET", "/warm")  # connected
            send_at = time.perf_counter() + 0.3
            r = await b.request("GET", "/", send_at=send_at)
            done = time.perf_counter()
        finally:
            await b.close()
    assert arrivals[-1] >= send_at  # not sent early...
    # ...nor late by anything like the wait itself (a loaded CI machine delays it by tens of ms).
    assert arrivals[-1] - send_at < 0.15
    assert send_at + 0.02 <= r.received_at <= done  # read after the app answered, before we returned
