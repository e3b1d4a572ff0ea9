"""Request smuggling and bad chunked framing: 400 (or 501) and a close, nothing smuggled through.

Every case is followed, on the same connection, by a request for /smuggled: a target that
framed the hostile request differently from what the sender meant (or than a front end might)
would serve it. RFC 9112 6.3 makes each of these framings an error the server must answer with
400 and then close; a transfer coding other than chunked (before the final chunked) is one the
server does not implement (6.1: 501).
"""

from __future__ import annotations

import pytest

from hostile.targets import refused, start

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"
POST = b"POST /form HTTP/1.1\r\nHost: t\r\n"
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"

CASES = [
    # Content-Length together with Transfer-Encoding, either order (RFC 9112 6.1, 6.3).
    ("cl-then-te", POST + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", 400),
    ("te-then-cl", POST + b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nX", 400),
    ("cl-with-te-identity", POST + b"Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello", 400),
    # Two Content-Lengths, different and even equal; a list value.
    ("two-content-lengths", POST + b"Content-Length: 5\r\nContent-Length: 40\r\n\r\nhello", 400),
    ("two-equal-content-lengths", POST + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
    ("content-length-list", POST + b"Content-Length: 5, 40\r\n\r\nhello", 400),
    ("content-length-signed", POST + b"Content-Length: +5\r\n\r\nhello", 400),
    ("content-length-negative", POST + b"Content-Length: -1\r\n\r\n", 400),
    ("content-length-overflow", POST + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
    # Transfer-Encoding whose final coding is not chunked: the length cannot be known (6.3).
    ("te-chunked-identity", POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    ("te-identity", POST + b"Transfer-Encoding: identity\r\n\r\nhello", 400),
    ("te-gzip", POST + b"Transfer-Encoding: gzip\r\n\r\nhello", 400),
    ("te-xchunked", POST + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    ("te-chunked-twice", POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te-space-before-colon", POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    # A coding before chunked that neither implements: framed, but not understood (6.1).
    ("te-gzip-chunked", POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    # obs-fold: a header continued on a line starting with a space or tab (5.2).
    ("obs-fold-space", b"GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n", 400),
    ("obs-fold-tab", b"GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n\tb\r\n\r\n", 400),
    ("obs-fold-te", POST + b"Transfer-Encoding: identity\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    # Line endings and Host (2.2, 3.2).
    ("bare-lf", b"GET / HTTP/1.1\nHost: t\n\n", 400),
    ("bare-cr-in-header", b"GET / HTTP/1.1\r\nHost: t\rX-A: b\r\n\r\n", 400),
    ("no-host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("two-hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    # Bad chunk sizes and chunk framing (7.1).
    ("chunk-size-non-hex", CHUNKED + b"zz\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-size-negative", CHUNKED + b"-5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-size-overflow", CHUNKED + b"FFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-size-empty", CHUNKED + b"\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-size-bad-extension", CHUNKED + b"5;\x01\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-data-no-crlf", CHUNKED + b"2\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk-size-bare-lf", CHUNKED + b"5\nhello\r\n0\r\n\r\n", 400),
]


@pytest.mark.parametrize(("raw", "status"), [pytest.param(raw, s, id=name) for name, raw, s in CASES])
async def test_framing_error_is_refused_and_nothing_is_smuggled(kind: str, raw: bytes, status: int) -> None:
    async with start(kind) as target:
        reply = await target.exchange(raw + SMUGGLED)
        refused(reply, status)
        assert "/smuggled" not in target.seen.paths
        await target.assert_serves()


@pytest.mark.parametrize(("raw", "status"), [pytest.param(raw, s, id=name) for name, raw, s in CASES[:4]])
async def test_good_request_pipelined_before_a_bad_one_is_answered_first(kind: str, raw: bytes, status: int) -> None:
    async with start(kind) as target:
        good = b"GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
        reply = await target.exchange(good + raw + SMUGGLED)
        assert reply.statuses == [200, status] and reply.responses[0][2] == b"ok /first", reply
        assert reply.responses[1][1].get(b"connection") == b"close" and reply.closed, reply
        assert target.seen.paths == ["/first"]
        await target.assert_serves()


async def test_http10_with_transfer_encoding_is_answered_then_closed(kind: str) -> None:
    """RFC 9112 6.1: HTTP/1.0 with Transfer-Encoding has faulty framing; close after it."""
    async with start(kind) as target:
        raw = b"POST /form HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        reply = await target.exchange(raw + SMUGGLED)
        assert reply.closed and len(reply.responses) == 1, reply
        assert "/smuggled" not in target.seen.paths
        await target.assert_serves()

