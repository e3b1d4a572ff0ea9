"""Minimal HTTP request/response types for a raw ASGI app (no web framework needed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024
NO_BODY_STATUS = (204, 304)


class BodyTooLarge(ValueError):
    """The request's body exceeds MAX_BODY."""


@dataclass(slots=True)
class Request:
    """An HTTP request with its body read."""

    method: str
    path: str
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The url-encoded form fields of the body (first value of each)."""
        fields = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in fields.items()}


@dataclass(slots=True)
class Response:
    """An HTTP response to send."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def set_cookie(self, name: str, value: str, max_age: int) -> None:
        """Add a Set-Cookie for path /; a negative `max_age` expires the cookie."""
        self.headers.append(("set-cookie", f"{name}={value}; Path=/; Max-Age={max(max_age, 0)}"))

    async def send(self, send: Send) -> None:
        """Send this response over ASGI."""
        headers = [(b"content-type", self.content_type.encode())]
        if self.status not in NO_BODY_STATUS:
            headers.append((b"content-length", str(len(self.body)).encode()))
        headers += [(k.encode(), v.encode("latin-1")) for k, v in self.headers]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def redirect(location: str) -> Response:
    """A 302 Found to `location`, as the original frontend's redirects."""
    return Response(status=302, headers=[("location", location)])


def parse_cookies(header: str) -> dict[str, str]:
    """Parse a Cookie header into a dict (the first occurrence of a name wins)."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in out:
            out[name] = value
    return out


def apply_set_cookie(jar: dict[str, str], header: str) -> None:
    """Update a client's cookie jar from one Set-Cookie header (Max-Age=0 deletes)."""
    first, _, attrs = header.partition(";")
    name, _, value = first.strip().partition("=")
    if "max-age=0" in attrs.lower().replace(" ", ""):
        jar.pop(name, None)
    else:
        jar[name] = value


async def read_request(scope: Scope, receive: Receive) -> Request:
    """Build a Request from an ASGI http scope, reading at most MAX_BODY bytes of body.

    The body of a GET or HEAD is not read: the shop's pages ignore it.
    """
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    chunks: list[bytes] = []
    size = 0
    more = scope["method"] not in ("GET", "HEAD")
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge(f"request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return Request(
        method=scope["method"],
        path=scope["path"],
        headers=headers,
        cookies=parse_cookies(headers.get("cookie", "")),
        body=b"".join(chunks),
    )
