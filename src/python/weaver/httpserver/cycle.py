"""One request/response of the lean ASGI server: the ASGI `receive` and `send` of one request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from weaver.internal import http1

if TYPE_CHECKING:
    from weaver.httpserver.connection import HttpConnection

log = logging.getLogger("weaver.httpserver")

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def error_response(status: int, message: str) -> bytes:
    """A complete plain-text error response of the server's own, closing the connection."""
    return http1.error_response(status, message, date=True)


class Cycle:
    """The ASGI side of one request: its body as it arrives, and its response as it leaves."""

    __slots__ = (
        "conn",
        "scope",
        "chunks",
        "more_body",
        "delivered",
        "expect_continue",
        "keep_alive",
        "head_only",
        "started",
        "complete",
        "chunked",
        "_head",
        "_waiter",
    )

    def __init__(self, conn: HttpConnection, scope: Message, keep_alive: bool, expect_continue: bool) -> None:
        self.conn = conn
        self.scope = scope
        self.chunks: list[bytes] = []
        self.more_body = True
        self.delivered = False  # the last body piece went to the app
        self.expect_continue = expect_continue
        self.keep_alive = keep_alive
        self.head_only = scope["method"] == "HEAD"
        self.started = False
        self.complete = False
        self.chunked = False
        self._head = b""
        self._waiter: asyncio.Future[None] | None = None

    # Fed by the connection.
    def body_arrived(self, data: bytes) -> None:
        self.chunks.append(data)
        self.wake()

    def body_complete(self) -> None:
        self.more_body = False
        self.wake()

    def wake(self) -> None:
        """Something `receive` waits for happened (body, its end, or the client leaving)."""
        w = self._waiter
        if w is not None and not w.done():
            w.set_result(None)

    # Run by the connection.
    async def run(self, app: ASGIApp) -> None:
        """Call the app; answer 500 if it fails before responding, cut the connection if after."""
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:  # noqa: BLE001 - the app's bug: logged, answered, the server goes on
            log.exception("ASGI app failed on %s %s", self.scope["method"], self.scope["path"])
            self._abort("internal server error")
        except asyncio.CancelledError:
            self._abort("cancelled")
            raise
        else:
            if not self.complete and not self.conn.lost:  # (a client that left needs no answer)
                log.error("ASGI app returned without completing the response to %s", self.scope["path"])
                self._abort("the application sent no complete response")
        finally:
            self.conn.cycle_done(self)

    def _abort(self, why: str) -> None:
        if self.complete:
            return
        if (self.started and not self._head) or self.conn.lost:
            self.conn.close()  # part of the response left: the client sees it cut off
            return
        self.conn.write(error_response(500, why))
        self.complete, self.keep_alive = True, False

    # ASGI.
    async def receive(self) -> Message:
        """The next piece of the request body; `http.disconnect` once the exchange is over."""
        while True:
            if self.conn.lost:
                return {"type": "http.disconnect"}
            if self.chunks or (not self.more_body and not self.delivered):
                data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
                self.chunks = []
                self.delivered = not self.more_body
                self.conn.body_consumed()
                return {"type": "http.request", "body": data, "more_body": self.more_body}
            if self.complete:
                return {"type": "http.disconnect"}
            if self.expect_continue and not self.started:
                self.expect_continue = False
                self.conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    async def send(self, message: Message) -> None:
        """Write the response: its head with the first body piece, framed as the head says."""
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("ASGI: http.response.start sent twice")
            self._start(int(message["status"]), message.get("headers", ()))
        elif kind == "http.response.body":
            if not self.started:
                raise RuntimeError("ASGI: http.response.body before http.response.start")
            if self.complete:
                raise RuntimeError("ASGI: http.response.body after the response completed")
            body = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            out = self._head
            self._head = b""
            if self.head_only:
                pass
            elif self.chunked:
                if body:
                    out += http1.chunk(body)
                if not more:
                    out += http1.LAST_CHUNK
            else:
                out += body
            if out:
                self.conn.write(out)
            if not more:
                self.complete = True
                self.wake()  # a receive() waiting for the end of the exchange
            elif self.conn.paused:
                await self.conn.drain()
        else:
            raise RuntimeError(f"ASGI: unexpected message type {kind!r}")

    def _start(self, status: int, headers: Any) -> None:
        self.started = True
        lines = [http1.status_line(status)]
        has_length = False
        for name, value in headers:
            n = bytes(name).lower()
            v = bytes(value)
            if b"\n" in n or b"\r" in n or b"\n" in v or b"\r" in v:
                raise ValueError(f"ASGI: header {name!r} contains a line break")
            if n == b"content-length":
                has_length = True
            elif n == b"connection" and v.lower() == b"close":
                self.keep_alive = False
                continue
            elif n == b"transfer-encoding":
                continue  # the server frames the body itself
            lines.append(n + b": " + v + b"\r\n")
        lines.append(b"date: " + http1.date_value() + b"\r\n")
        framing = http1.body_framing(status, self.head_only, has_length, self.scope["http_version"] == "1.1")
        if framing is http1.Framing.CHUNKED:
            self.chunked = True
            lines.append(b"transfer-encoding: chunked\r\n")
        elif framing is http1.Framing.CLOSE:
            self.keep_alive = False  # the body ends with the connection
        if not self.keep_alive:
            lines.append(b"connection: close\r\n")
        lines.append(b"\r\n")
        self._head = b"".join(lines)
