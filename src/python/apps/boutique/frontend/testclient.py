"""A small in-process ASGI client for tests: requests, cookies, and optional redirects."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from apps.boutique.frontend.web import ASGIApp, Message, apply_set_cookie


@dataclass
class TestResponse:
    """Status, headers (lower-case names) and body of one response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


@dataclass
class ASGITestClient:
    """Calls an ASGI app directly, keeping a cookie jar like a browser."""

    __test__ = False
    app: ASGIApp
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
    ) -> TestResponse:
        """One request (and its redirects if `follow`, as GETs, like a browser after a 302)."""
        resp = await self._once(method, path, form, headers or {})
        for _ in range(5):
            location = resp.header("location")
            if not follow or resp.status not in (301, 302, 303) or location is None:
                break
            resp = await self._once("GET", location, None, {})
        return resp

    async def _once(self, method: str, path: str, form: dict[str, str] | None, headers: dict[str, str]) -> TestResponse:
        body = urlencode(form).encode() if form is not None else b""
        hdrs = {k.lower(): v for k, v in headers.items()}
        if form is not None:
            hdrs["content-type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent: list[Message] = []
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        out_headers = [(k.decode().lower(), v.decode("latin-1")) for k, v in start["headers"]]
        data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        for k, v in out_headers:
            if k == "set-cookie":
                apply_set_cookie(self.cookies, v)
        return TestResponse(start["status"], out_headers, data)
