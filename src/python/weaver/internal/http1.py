"""HTTP/1.1 framing, written once for weaver's HTTP server and the proxy; no I/O.

Parsing is httptools' job; this module writes: status lines, the choice of how a response
body is framed (RFC 9112 6), chunks, the plain-text error responses both answer with, the Date
value, and which headers are end-to-end (hop-by-hop ones, RFC 9110 7.6.1, never cross a proxy).
"""

from __future__ import annotations

import email.utils
import enum
import time
from collections.abc import Iterable
from http import HTTPStatus

Headers = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)


_REASONS = {s.value: s.phrase.encode() for s in HTTPStatus}


def reason(status: int) -> bytes:
    """The standard reason phrase of a status code."""
    return _REASONS.get(status, b"Unknown")


def status_line(status: int, phrase: bytes = b"") -> bytes:
    """`HTTP/1.1 <status> <reason>` and CRLF; the standard phrase unless one is given."""
    return b"HTTP/1.1 %d %b\r\n" % (status, phrase or reason(status))


class Framing(enum.Enum):
    """How a response body is delimited (RFC 9112 6.3)."""

    NONE = "none"
    """No body: HEAD, 1xx, 204, 304."""
    LENGTH = "length"
    """Content-Length, as the sender gave it."""
    CHUNKED = "chunked"
    """Transfer-Encoding: chunked (HTTP/1.1 peers)."""
    CLOSE = "close"
    """The body ends when the connection closes (HTTP/1.0 peers without a length)."""


def body_framing(status: int, head_only: bool, has_length: bool, http11: bool) -> Framing:
    """The framing of a response with `status` to a request that was HEAD (`head_only`) or not."""
    if head_only or status < 200 or status in (204, 304):
        return Framing.NONE
    if has_length:
        return Framing.LENGTH
    return Framing.CHUNKED if http11 else Framing.CLOSE


_date: tuple[int, bytes] = (0, b"")  # (second, formatted)


def date_value() -> bytes:
    """The Date header's value (RFC 9110 6.6.1), formatted at most once per second."""
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, email.utils.formatdate(now, usegmt=True).encode())
    return _date[1]


_PLAIN_TOKENS = frozenset({b"close", b"keep-alive", b"upgrade"})


def skipping(*names: bytes) -> frozenset[bytes]:
    """The set of (lower-case) header names `end_to_end` drops: hop-by-hop ones and `names`."""
    return HOP_BY_HOP | frozenset(names)


def end_to_end(headers: Headers, skip: frozenset[bytes], names: list[bytes] | None = None) -> list[bytes]:
    """Header lines (name: value CRLF) that go on: not in `skip`, not named in Connection.
    Their lower-case names are appended to `names` if given."""
    out = []
    if names is None:
        names = []
    listed: set[bytes] = set()
    for name, value in headers:
        n = name.lower()
        if n in skip:
            if n == b"connection":
                listed.update(t.strip().lower() for t in value.split(b","))
            continue
        out.append(name + b": " + value + b"\r\n")
        names.append(n)
    listed -= _PLAIN_TOKENS
    if listed:
        out = [line for line, n in zip(out, names, strict=True) if n not in listed]
        names[:] = [n for n in names if n not in listed]
    return out


def chunk_header(size: int) -> bytes:
    """The line introducing a chunk of `size` bytes."""
    return b"%x\r\n" % size


def chunk(data: bytes) -> bytes:
    """One whole chunk carrying `data`; nothing for empty data (a zero-size chunk ends the body)."""
    return b"%x\r\n%b\r\n" % (len(data), data) if data else b""


LAST_CHUNK = b"0\r\n\r\n"


def error_response(
    status: int, message: str, extra: Iterable[tuple[bytes, bytes]] = (), close: bool = True, date: bool = False
) -> bytes:
    """A complete plain-text response of the server's or proxy's own (not the app's)."""
    body = (message + "\n").encode()
    lines = [status_line(status), b"content-type: text/plain; charset=utf-8\r\n"]
    lines.append(b"content-length: %d\r\n" % len(body))
    lines += [n + b": " + v + b"\r\n" for n, v in extra]
    if close:
        lines.append(b"connection: close\r\n")
    if date:
        lines.append(b"date: " + date_value() + b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines) + body


def transfer_codings(value: bytes) -> list[bytes]:
    """The (lower-case) transfer codings named in one Transfer-Encoding field value, in order."""
    out = []
    for item in value.split(b","):
        token = item.split(b";", 1)[0].strip().lower()
        if token:
            out.append(token)
    return out


def head_refusal(http11: bool, hosts: int, codings: list[bytes]) -> tuple[int, str] | None:
    """The error status and message RFC 9112 asks for a request head httptools let through, or None.

    `hosts` counts the Host field lines; `codings` lists every transfer coding of the request in
    order. Exactly one Host is required of HTTP/1.1, and more than one is refused always (3.2);
    chunked must be the final coding, else the body's length is unknown (6.3: 400); any other
    coding is one neither weaver's server nor its proxy implements (6.1: 501).
    """
    if hosts > 1 or (http11 and hosts == 0):
        return 400, "a request needs exactly one Host header field"
    if codings:
        if codings[-1] != b"chunked":
            return 400, "chunked must be the final transfer coding"
        other = next((c for c in codings if c != b"chunked"), None)
        if other is not None:
            return 501, f"transfer coding {other.decode('latin-1')!r} is not implemented"
    return None
