"""Heads and bodies larger than the limits: 414, 431, 413 (RFC 9110 15.5) and a close.

The huge head is sent whole, as an attacker would: the target answers once it has read past its
limit, then reads and drops the rest for a while (`linger`) instead of closing on unread bytes,
so the client reads the answer rather than a connection reset. The 100 MB body is declared and
never sent: the answer must come from the head alone.
"""

from __future__ import annotations

import asyncio

import pytest

from hostile.targets import TIMEOUT, Knobs, Reply, parse, read_to_eof, refused, start

MB = 1024 * 1024
MANY = b"".join(b"X-Header-%d: v\r\n" % i for i in range(10_000))

HEADS = [
    ("header-line-1mb", b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"x" * MB + b"\r\n\r\n", 431),
    ("header-line-1mb-unfinished", b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"x" * MB, 431),
    ("headers-10000", b"GET / HTTP/1.1\r\nHost: t\r\n" + MANY + b"\r\n", 431),
    ("headers-10000-tiny", b"GET / HTTP/1.1\r\nHost: t\r\n" + b"a:\r\n" * 10_000 + b"\r\n", 431),
    ("headers-300", b"GET / HTTP/1.1\r\nHost: t\r\n" + b"a: b\r\n" * 300 + b"\r\n", 431),
    ("target-1mb", b"GET /" + b"a" * MB + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
]


@pytest.mark.parametrize(("raw", "status"), [pytest.param(raw, s, id=name) for name, raw, s in HEADS])
async def test_head_too_large_is_refused(kind: str, raw: bytes, status: int) -> None:
    async with start(kind) as target:
        refused(await target.exchange(raw), status)
        assert target.seen.paths == []
        await target.assert_serves()


async def test_head_just_within_the_limits_is_served(kind: str) -> None:
    """The refusals above are about size: 200 headers in a 31 KB head are served."""
    async with start(kind) as target:
        headers = b"".join(b"X-Pad-%d: %b\r\n" % (i, b"p" * 140) for i in range(200))
        reply = await target.exchange(b"GET /within HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + headers + b"\r\n")
        assert reply.statuses == [200] and reply.responses[0][2] == b"ok /within", reply


async def test_100mb_body_to_a_form_is_refused_from_its_head(kind: str) -> None:
    async with start(kind) as target:
        reader, writer = await target.connect()
        try:
            head = b"POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            writer.write(head + b"Content-Length: %d\r\n\r\n" % (100 * MB))  # and not one body byte
            data, closed = await read_to_eof(reader)
        finally:
            writer.close()
        refused(Reply(parse(data), closed), 413)
        assert target.seen.paths == [] and target.seen.body_bytes == 0
        await target.assert_serves()


@pytest.mark.parametrize(("size", "status"), [(64 * 1024, 200), (64 * 1024 + 1, 413)], ids=["at-limit", "limit-plus-1"])
async def test_declared_length_against_a_configured_limit(kind: str, size: int, status: int) -> None:
    async with start(kind, Knobs(max_body_bytes=64 * 1024)) as target:
        raw = b"POST /form HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % size
        reply = await target.exchange(raw + b"x" * size)
        assert reply.statuses == [status], reply
        if status == 200:
            assert reply.responses[0][2] == b"got %d bytes" % size
        else:
            refused(reply, 413)
        await target.assert_serves()


async def test_chunked_body_over_the_limit_is_cut_off_with_413(kind: str) -> None:
    limit = 64 * 1024
    async with start(kind, Knobs(max_body_bytes=limit)) as target:
        chunk = b"4000\r\n" + b"c" * 0x4000 + b"\r\n"
        raw = b"POST /form HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 40 + b"0\r\n\r\n"
        reply = await asyncio.wait_for(target.exchange(raw), TIMEOUT)
        refused(reply, 413)
        assert target.seen.body_bytes == 0  # the app never got a complete body
        await target.assert_serves()
