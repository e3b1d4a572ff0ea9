"""The HTTP client: cookies, redirects, and connections the server closed while idle."""

from __future__ import annotations

import asyncio

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.testserver import serving
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
