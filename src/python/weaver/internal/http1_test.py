"""The HTTP/1.1 writer, tested with bytes (no sockets)."""

from __future__ import annotations

import pytest

from weaver.internal import http1
from weaver.internal.http1 import Framing


def test_status_line_uses_the_standard_phrase_unless_given() -> None:
    assert http1.status_line(404) == b"HTTP/1.1 404 Not Found\r\n"
    assert http1.status_line(299) == b"HTTP/1.1 299 Unknown\r\n"
    assert http1.status_line(200, b"Fine") == b"HTTP/1.1 200 Fine\r\n"


@pytest.mark.parametrize(
    ("status", "head_only", "has_length", "http11", "expected"),
    [
        (200, True, False, True, Framing.NONE),
        (101, False, False, True, Framing.NONE),
        (204, False, True, True, Framing.NONE),
        (304, False, False, False, Framing.NONE),
        (200, False, True, False, Framing.LENGTH),
        (200, False, False, True, Framing.CHUNKED),
        (500, False, False, False, Framing.CLOSE),
    ],
)
def test_body_framing_follows_rfc_9112(
    status: int, head_only: bool, has_length: bool, http11: bool, expected: Framing
) -> None:
    assert http1.body_framing(status, head_only, has_length, http11) is expected


def test_chunks_and_the_last_chunk() -> None:
    assert http1.chunk(b"hello world!") == b"c\r\nhello world!\r\n"
    assert http1.chunk(b"") == b""
    assert http1.chunk_header(255) == b"ff\r\n"
    assert http1.LAST_CHUNK == b"0\r\n\r\n"


def test_error_response_is_complete_and_closes() -> None:
    raw = http1.error_response(431, "header too large", extra=[(b"retry-after", b"1")])
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert b"content-length: %d" % len(body) in lines
    assert b"connection: close" in lines and b"retry-after: 1" in lines
    assert body == b"header too large\n"
    assert not any(line.startswith(b"date:") for line in lines)
    kept = http1.error_response(400, "bad", close=False, date=True)
    assert b"connection: close" not in kept and b"\r\ndate: " in kept


def test_date_value_is_an_imf_fixdate() -> None:
    value = http1.date_value()
    assert value.endswith(b" GMT") and value[3:5] == b", "


def test_end_to_end_drops_hop_by_hop_and_connection_named_headers() -> None:
    headers = [
        (b"Content-Type", b"text/html"),
        (b"Connection", b"keep-alive, X-Secret"),
        (b"X-Secret", b"1"),
        (b"Transfer-Encoding", b"chunked"),
        (b"Weaver-Version", b"abc"),
    ]
    names: list[bytes] = []
    lines = http1.end_to_end(headers, http1.skipping(b"weaver-version"), names)
    assert lines == [b"Content-Type: text/html\r\n"]
    assert names == [b"content-type"]
