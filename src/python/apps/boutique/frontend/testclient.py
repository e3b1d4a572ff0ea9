"""A small in-process ASGI client for tests: requests, cookies, and optional redirects."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.boutique.browser import Browser, Response, wait_until
from apps.boutique.frontend.web import ASGIApp, Message


@dataclass
class ASGITestClient(Browser):
    """Calls an ASGI app directly, keeping a cookie jar like a browser."""

    __test__ = False
    app: ASGIApp
    cookies: dict[str, str] = field(default_factory=dict)

    async def _send(
        self, method: str, path: str, hdrs: dict[str, str], body: bytes, send_at: float | None
    ) -> Response:
        if send_at is not None:
            await wait_until(send_at)
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
        return Response(start["status"], out_headers, data)
