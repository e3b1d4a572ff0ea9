"""One client connection of the lean ASGI server: httptools parsing, requests in turn, keep-alive.

The app's first step runs at once, inside the read that completed the request (an eager task,
`weaver.internal.eager`): a handler that does not suspend (co-located component calls are plain
awaits) answers before the read returns, with no task scheduled. Pipelined requests wait their
turn with reading paused, the next one starting only while the client takes its responses
(writing not paused), and a request body is buffered up to `Limits.body_buffer` before reading
pauses until the app takes it, so memory per connection stays bounded.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote_to_bytes

import httptools

from weaver.httpserver.cycle import ASGIApp, Cycle, Message, error_response
from weaver.internal import http1
from weaver.internal.idletimer import IdleTimer

if TYPE_CHECKING:
    from weaver.httpserver.server import ServerState

log = logging.getLogger("weaver.httpserver")


@dataclass(frozen=True)
class Limits:
    """Bounds on what one client can make the server hold."""

    max_head_bytes: int = 64 * 1024
    """Request line plus headers; larger heads are answered 431 (a longer request target, 414)."""
    max_headers: int = 256
    """Header fields in one request head; more are answered 431."""
    max_body_bytes: int | None = 64 * 1024 * 1024
    """A request body (Content-Length or chunked) larger than this is answered 413, a declared
    Content-Length before any of the body is read; None means unlimited."""
    body_buffer: int = 256 * 1024
    """Request body bytes buffered ahead of the app before reading pauses."""
    idle_timeout: float = 5.0
    """Seconds a kept-alive connection may sit idle before the server closes it."""
    linger: float = 1.0
    """Seconds to keep reading (and discarding) after an error response before closing, so a
    client still sending its request reads the response instead of a connection reset."""


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class HttpConnection(asyncio.Protocol):
    """Serves the requests of one connection to `state.app`, one at a time."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.app: ASGIApp = state.app
        self.limits = state.limits
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Cycle] = deque()  # parsed requests not started yet (pipelining)
        self.reading: Cycle | None = None  # the request whose body is arriving
        self.active: Cycle | None = None
        self.lost = False
        self.refused = False
        self._pending_refusal: tuple[int, str] | None = None
        self.paused = False
        self._reading_paused = False
        self._drained: asyncio.Future[None] | None = None
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._head_bytes = 0  # of the header fields complete so far (the URL counts apart)
        self._in_head = False
        self._events = 0  # parser callbacks so far: a read that saw none was spent inside one field
        self._partial = 0  # bytes of such reads: what httptools holds of an unfinished field
        self._header_count = 0
        self._body_bytes = 0
        self._declared = 0  # the Content-Length of the request being read
        self._hosts = 0
        self._codings: list[bytes] = []
        self._expect_continue = False
        self._idle: IdleTimer | None = None
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] | None = None

    # asyncio.Protocol.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self.loop = asyncio.get_running_loop()
        self.client = _address(transport.get_extra_info("peername"))
        self.server = _address(transport.get_extra_info("sockname"))
        self.state.connections.add(self)
        self._idle = IdleTimer(self.loop, self.limits.idle_timeout, self.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.state.connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        for cycle in (self.active, self.reading, *self.queue):
            if cycle is not None:
                cycle.wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        if self.active is None and self.queue:
            self.loop.call_soon(self._start_next)  # a pipelined request waited for the client to read

    def data_received(self, data: bytes) -> None:
        if self.lost or self.refused or self._pending_refusal or (self.transport and self.transport.is_closing()):
            return  # (after a refusal: read and dropped while lingering)
        events = self._events
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self.queue:
                self.queue.pop()  # the upgrade request itself, parsed just now: refused below
            self._refuse(501, "protocol upgrades (WebSocket) are not served by weaver's HTTP server")
            return
        except httptools.HttpParserCallbackError as e:
            cause = e.__context__
            if isinstance(cause, _Refused):
                self._refuse(cause.status, cause.message)
            else:
                log.error("HTTP server bug while parsing a request", exc_info=cause)
                self._refuse(500, "internal server error")
            return
        except httptools.HttpParserError as e:
            self._refuse(400, f"malformed request: {e}")
            return
        if self._in_head:  # bound what httptools buffers of a field that does not end
            self._partial = self._partial + len(data) if self._events == events else 0
            if self._head_bytes + len(self._url) + self._partial > self.limits.max_head_bytes:
                self._refuse(431, "request head too large")
                return
        self._start_next()

    # httptools callbacks.
    def on_message_begin(self) -> None:
        self._url, self._headers, self._head_bytes, self._expect_continue = b"", [], 0, False
        self._in_head, self._partial = True, 0
        self._events += 1
        self._header_count = self._body_bytes = self._declared = self._hosts = 0
        self._codings = []

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._events += 1
        if len(self._url) > self.limits.max_head_bytes:
            raise _Refused(414, "request target too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        self._events += 1
        self._header_count += 1
        if self._head_bytes + len(self._url) > self.limits.max_head_bytes:
            raise _Refused(431, "request head too large")
        if self._header_count > self.limits.max_headers:
            raise _Refused(431, f"more than {self.limits.max_headers} header fields")
        name = name.lower()
        if name == b"expect":
            self._expect_continue = value.lower() == b"100-continue"
        elif name == b"transfer-encoding":
            self._codings += http1.transfer_codings(value)
        elif name == b"host":
            self._hosts += 1
        elif name == b"content-length" and value.strip().isdigit():  # (llhttp refuses other values)
            self._declared = int(value)
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        p = self.parser
        self._in_head = False
        self._events += 1
        refusal = http1.head_refusal(p.get_http_version() == "1.1", self._hosts, self._codings)
        if refusal is not None:
            raise _Refused(*refusal)
        limit = self.limits.max_body_bytes
        if limit is not None and self._declared > limit:
            raise _Refused(413, f"request body larger than {limit} bytes")  # before reading any of it
        raw_path, query = _split_target(self._url)
        scope: Message = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": p.get_http_version(),
            "method": p.get_method().decode("ascii"),
            "scheme": "http",
            "path": raw_path.decode("latin-1") if b"%" not in raw_path else _unquote(raw_path),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": self._headers,
            "client": self.client,
            "server": self.server,
        }
        cycle = Cycle(self, scope, p.should_keep_alive(), self._expect_continue)
        self.reading = cycle
        self.queue.append(cycle)
        if len(self.queue) > 1 or self.active is not None:
            self._pause_reading()  # a pipelined request: it waits for the one before

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        limit = self.limits.max_body_bytes
        if limit is not None and self._body_bytes > limit:
            raise _Refused(413, f"request body larger than {limit} bytes")  # a chunked one
        cycle = self.reading
        if cycle is not None and not cycle.complete:  # else answered already: read and dropped
            cycle.body_arrived(body)
            if sum(map(len, cycle.chunks)) > self.limits.body_buffer:
                self._pause_reading()

    def on_message_complete(self) -> None:
        cycle, self.reading = self.reading, None
        if cycle is not None:
            cycle.body_complete()

    # Turn-taking.
    def _start_next(self) -> None:
        if self.active is not None or not self.queue or self.lost or self.paused:
            return  # (paused: the client is not reading its responses; resume_writing resumes)
        cycle = self.active = self.queue.popleft()
        if not self.queue:
            self._resume_reading()  # paused while it waited its turn; its body may still be arriving
        if self._idle is not None:
            self._idle.busy()
        self.state.runner.run(cycle.run(self.app), contextvars.copy_context())

    def cycle_done(self, cycle: Cycle) -> None:
        """`cycle` finished (called from inside it): keep the connection or close it."""
        self.active = None
        if self.refused:
            return  # an error response went out: the linger timer (or the client) closes
        if not (cycle.complete and cycle.keep_alive) or self.state.closing:
            self.close()
            return
        if self._pending_refusal is not None and not self.queue:
            self._refuse(*self._pending_refusal)  # a bad request pipelined after this one
            return
        if self.queue:
            self.loop.call_soon(self._start_next)  # not from inside this request's task
        else:
            self._resume_reading()
            if self._idle is not None:
                self._idle.idle()  # from the last response until the next request is complete in head

    def body_consumed(self) -> None:
        """The app took the buffered body: read more."""
        if self.active is not None and self.active is self.reading and len(self.queue) == 0:
            self._resume_reading()

    def _pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._reading_paused and self.transport is not None and not self.lost:
            self._reading_paused = False
            self.transport.resume_reading()

    # Writing and closing.
    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.lost and not self.refused:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait until the client has taken enough of what was written."""
        if self.paused and not self.lost:
            self._drained = self.loop.create_future()
            await self._drained

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def close_if_idle(self) -> bool:
        """Close now if no request is being served or read (for shutdown)."""
        if self.active is None and not self.queue:
            self.close()
            return True
        return False

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request the server will not serve with an error, then close.

        Requests pipelined ahead of the bad one are answered first (what arrives meanwhile is
        dropped: nothing after a bad request is parsed).
        The client may still be sending the refused request (a huge head or body): closing at
        once, with its bytes unread, would reset the connection and the client might never read
        the answer. So the server ends its side (FIN after the response), reads and drops what
        still comes for up to `Limits.linger` seconds, and closes when the client does or then.
        """
        bad, self.reading = self.reading, None
        if bad is not None and bad is not self.active and bad in self.queue:
            self.queue.remove(bad)
        if bad is None or bad is not self.active:
            if self.active is not None or self.queue:
                self._pending_refusal = (status, message)  # answered in turn, by cycle_done
                self._pause_reading()
                self._start_next()
                return
        self.queue.clear()
        if self.active is None or not self.active.started:
            self.write(error_response(status, message))
        self.refused = True  # nothing more is written or parsed
        if self.active is not None:
            self.active.complete = True  # whatever the app sends now goes nowhere
            self.active.wake()
        t = self.transport
        if t is None or self.lost or not t.can_write_eof():
            self.close()
            return
        if self._idle is not None:
            self._idle.cancel()
        self._resume_reading()
        t.write_eof()
        self.loop.call_later(self.limits.linger, self.close)


def _address(value: object) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) >= 2:
        return str(value[0]), int(value[1])
    return None


def _split_target(target: bytes) -> tuple[bytes, bytes]:
    """The path and query of a request target (origin-form split by hand: the common case)."""
    if target[:1] == b"/" and b"#" not in target:
        path, _, query = target.partition(b"?")
        return path, query
    url = httptools.parse_url(target)  # absolute-form (or a fragment), as proxies may send
    return url.path or b"/", url.query or b""


def _unquote(raw: bytes) -> str:
    return unquote_to_bytes(raw).decode("utf-8", "replace")

