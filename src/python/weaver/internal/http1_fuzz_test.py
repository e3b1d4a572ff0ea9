"""Fuzz target: weaver.internal.http1, the HTTP/1.1 framing both the server and the proxy write.

Its parsers of header values (`transfer_codings`, the hop-by-hop filter `end_to_end`,
`head_refusal`) take any bytes without raising and keep their invariants; what it writes (error
responses, status lines, chunks) is read back by httptools, the parser both components use, as
what was meant: decode(encode(x)) == x.
"""

from __future__ import annotations

import httptools
from hypothesis import given, settings
from hypothesis import strategies as st

from weaver.internal import http1

_tokens = st.sampled_from([b"chunked", b"Chunked", b"identity", b"gzip", b" ", b",", b";q=1", b"\t", b"\x00", b"close"])
_values = st.binary(max_size=60) | st.lists(_tokens, max_size=8).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(_values)
def test_fuzz_transfer_codings(value: bytes) -> None:
    codings = http1.transfer_codings(value)
    for c in codings:
        assert c and c == c.lower() and c == c.strip() and b"," not in c and b";" not in c
    assert len(codings) <= value.count(b",") + 1


@settings(max_examples=300, deadline=None)
@given(st.booleans(), st.integers(0, 5), st.lists(_values, max_size=3))
def test_fuzz_head_refusal(http11: bool, hosts: int, values: list[bytes]) -> None:
    codings = [c for v in values for c in http1.transfer_codings(v)]
    refusal = http1.head_refusal(http11, hosts, codings)
    if refusal is None:
        assert hosts == 1 or (hosts == 0 and not http11)
        assert not codings or set(codings) == {b"chunked"}
    else:
        assert refusal[0] in (400, 501) and refusal[1]


_names = st.sampled_from([b"Connection", b"keep-alive", b"TE", b"X-A", b"x-b", b"Upgrade", b"Trailer", b"Host"])
_headers = st.lists(st.tuples(_names | st.binary(min_size=1, max_size=6), _values), max_size=8)


@settings(max_examples=300, deadline=None)
@given(_headers, st.lists(_names.map(bytes.lower), max_size=3))
def test_fuzz_end_to_end_never_forwards_hop_by_hop(headers: list[tuple[bytes, bytes]], extra: list[bytes]) -> None:
    skip = http1.skipping(*extra)
    names: list[bytes] = []
    lines = http1.end_to_end(headers, skip, names)
    listed = {t.strip().lower() for n, v in headers if n.lower() == b"connection" for t in v.split(b",")}
    assert len(lines) == len(names)
    for line, name in zip(lines, names, strict=True):
        assert line.lower().startswith(name + b": ") and line.endswith(b"\r\n")
        assert name not in skip and (name not in listed or name in (b"close", b"keep-alive", b"upgrade"))
    dropped = skip | (listed - {b"close", b"keep-alive", b"upgrade"})
    kept = [n.lower() for n, _ in headers if n.lower() not in dropped]
    assert names == kept


class _Parsed:
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.complete = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete += 1


def _parse(data: bytes) -> _Parsed:
    p = _Parsed()
    p.parser.feed_data(data)
    return p


@settings(max_examples=300, deadline=None)
@given(st.integers(400, 599), st.text(max_size=80), st.booleans(), st.booleans())  # error statuses only
def test_fuzz_error_response_reads_back(status: int, message: str, close: bool, date: bool) -> None:
    p = _parse(http1.error_response(status, message, close=close, date=date))
    assert p.complete == 1 and p.parser.get_status_code() == status
    assert p.body == (message + "\n").encode()
    assert ((b"connection", b"close") in p.headers) == close
    assert any(n == b"date" for n, _ in p.headers) == date


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=6))
def test_fuzz_chunks_read_back(pieces: list[bytes]) -> None:
    head = http1.status_line(200) + b"transfer-encoding: chunked\r\n\r\n"
    body = b"".join(http1.chunk(piece) for piece in pieces) + http1.LAST_CHUNK
    p = _parse(head + body)
    assert p.complete == 1 and p.body == b"".join(pieces)
    for piece in filter(None, pieces):
        assert http1.chunk(piece).startswith(http1.chunk_header(len(piece)))


@settings(max_examples=200, deadline=None)
@given(st.integers(100, 599), st.booleans(), st.booleans(), st.booleans())
def test_fuzz_body_framing_is_total(status: int, head_only: bool, has_length: bool, http11: bool) -> None:
    framing = http1.body_framing(status, head_only, has_length, http11)
    if head_only or status < 200 or status in (204, 304):
        assert framing is http1.Framing.NONE
    else:
        assert framing is not http1.Framing.NONE
        assert (framing is http1.Framing.CLOSE) == (not has_length and not http11)
