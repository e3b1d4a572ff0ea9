"""Client requests parsed with httptools into `Exchange`s, within the proxy's limits.

I/O-free: `feed` takes bytes and reports each request to a `RequestSink` (its head, body pieces,
its end); a request the proxy refuses raises `Reject`, carrying the status to answer with.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httptools

from weaver.internal import http1
from weaver.proxy import pin
from weaver.proxy.exchange import Exchange
from weaver.proxy.limits import Limits

log = logging.getLogger(__name__)


class Reject(Exception):
    """A request the proxy refuses before or while reading it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestSink(Protocol):
    """Where parsed requests go (the client connection)."""

    def request_head(self, ex: Exchange) -> None: ...
    def request_body(self, ex: Exchange, data: bytes) -> None: ...
    def request_end(self, ex: Exchange) -> None: ...


class RequestParser:
    """Parses one client connection's requests, pipelined or not, and bounds what they may cost."""

    def __init__(self, limits: Limits, sink: RequestSink, peer: bytes) -> None:
        self.limits = limits
        self.sink = sink
        self.peer = peer
        self._parser = httptools.HttpRequestParser(self)
        self._message: Exchange | None = None  # the request whose body is being read
        self._url = b""
        self._headers: http1.Headers = []
        self._head_size = 0
        self._header_count = 0
        self._hosts = 0
        self._codings: list[bytes] = []
        self._in_head = True
        self._head_bytes = 0
        self._events = 0  # heads and messages completed: a read that saw one is not all head

    def feed(self, data: bytes) -> bytearray | None:
        """Parse `data`; returns the bytes after an upgrade request's head (then stop feeding),
        else None. Raises `Reject` for a request to refuse."""
        events = self._events
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            return bytearray(data[e.args[0] :])
        except httptools.HttpParserCallbackError as e:
            cause = e.__context__
            if isinstance(cause, Reject):
                raise cause from None
            log.error("proxy bug while parsing a request", exc_info=cause)
            raise Reject(500, "internal proxy error") from None
        except httptools.HttpParserError as e:
            raise Reject(400, f"malformed request: {e}") from None
        # Bound what httptools buffers for a head that never ends (it only calls on_header once
        # a header is complete): count reads spent wholly inside one head.
        if self._events != events:
            self._head_bytes = 0
        elif self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_header_bytes + 4:
                raise Reject(431, "request headers too large")
        return None

    # httptools callbacks.
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._head_size = 0
        self._header_count = self._hosts = 0
        self._codings = []
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.limits.max_header_bytes:
            raise Reject(414, "request URL too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        if self._head_size + len(self._url) > self.limits.max_header_bytes:
            raise Reject(431, "request headers too large")
        if self._in_head:
            self._header_count += 1
            if self._header_count > self.limits.max_headers:
                raise Reject(431, f"more than {self.limits.max_headers} header fields")
            n = name.lower()
            if n == b"transfer-encoding":
                self._codings += http1.transfer_codings(value)
            elif n == b"host":
                self._hosts += 1
            self._headers.append((name, value))  # not trailers, which are dropped

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._events += 1
        p = self._parser
        method = p.get_method()
        if method == b"CONNECT":
            raise Reject(405, "CONNECT is not supported by a reverse proxy")
        http11 = p.get_http_version() == "1.1"
        refusal = http1.head_refusal(http11, self._hosts, self._codings)
        if refusal is not None:
            raise Reject(*refusal)
        ex = Exchange(method, self._url, self._headers, http11)
        ex.keep_alive = http11 and p.should_keep_alive()
        ex.upgrade = p.should_upgrade()
        ex.close_after = not ex.keep_alive or ex.upgrade
        self._read_head(ex)
        self._message = ex
        self.sink.request_head(ex)

    def _read_head(self, ex: Exchange) -> None:
        length = 0
        forwarded = b""
        for name, value in ex.headers:
            n = name.lower()
            if n == b"content-length":
                length = int(value)
            elif n == b"transfer-encoding":
                ex.chunked_in = True
            elif n == b"cookie" and ex.cookie_pin is None:
                ex.cookie_pin = pin.cookie_pin(value)
            elif n == b"weaver-version":
                ex.pin = value.decode("latin-1").strip()
            elif n == b"x-forwarded-for":
                forwarded = value + b", "
            elif n == b"expect":
                if value.lower() != b"100-continue":
                    raise Reject(417, "only Expect: 100-continue is supported")
                ex.expect_continue = True
        limit = self.limits.max_body_bytes
        if limit is not None and length > limit:
            raise Reject(413, f"request body larger than {limit} bytes")
        ex.has_body = ex.chunked_in or length > 0
        ex.pin = ex.pin or ex.cookie_pin
        ex.forwarded_for = forwarded + self.peer

    def on_body(self, data: bytes) -> None:
        ex = self._message
        if ex is None:
            return
        ex.body_bytes += len(data)
        limit = self.limits.max_body_bytes
        if limit is not None and ex.body_bytes > limit:
            raise Reject(413, f"request body larger than {limit} bytes")
        self.sink.request_body(ex, data)

    def on_message_complete(self) -> None:
        ex, self._message = self._message, None
        self._in_head = True
        self._events += 1
        if ex is not None:
            ex.request_done = True
            self.sink.request_end(ex)
