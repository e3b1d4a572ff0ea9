"""The frame codec: round trips, splits at every byte, limits, and fuzzing."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weaver.rpc import frames
from weaver.rpc.frames import FrameError, FrameReader

Got = list[tuple[int, int, bytes]]


def reader(got: Got, max_frame: int = frames.DEFAULT_MAX_FRAME) -> FrameReader:
    return FrameReader(lambda t, rid, d, s, e: got.append((t, rid, d[s:e])), max_frame)


def test_request_round_trip_plain_and_extra() -> None:
    for deadline, shard, trace, md in [
        (None, None, None, None),
        (1.5, 7, None, None),
        (None, None, (1 << 100, 2, 1), {"user": "ann"}),
        (0.0, (1 << 64) - 1, None, {"k": "v"}),
    ]:
        head = frames.request_head(9, 42, 3, deadline, shard, trace, md)
        data = head + b"abc"
        length, ftype, rid = frames.HEADER.unpack_from(data)
        assert (ftype, rid, length) == (frames.REQUEST, 9, len(data) - frames.HEADER_SIZE)
        req = frames.decode_request(data, frames.HEADER_SIZE, len(data))
        assert (req.key, req.deadline, req.shard, req.payload) == (42, deadline, shard, b"abc")
        assert (req.trace, req.metadata) == (trace, md)


def test_reader_handles_every_split_point() -> None:
    stream = b"".join(
        [
            frames.frame(frames.RESPONSE, 1, b"one"),
            frames.frame(frames.PING, 2),
            frames.frame(frames.ERROR, 3, b"x" * 100),
        ]
    )
    want = [(frames.RESPONSE, 1, b"one"), (frames.PING, 2, b""), (frames.ERROR, 3, b"x" * 100)]
    for i in range(len(stream)):
        for j in range(i, len(stream)):
            got: Got = []
            r = reader(got)
            for chunk in (stream[:i], stream[i:j], stream[j:]):
                r.feed(chunk)
            assert got == want
            assert not r.partial


def test_reader_reports_partial_frames() -> None:
    got: Got = []
    r = reader(got)
    r.feed(frames.frame(frames.RESPONSE, 1, b"abcdef")[:-2])
    assert r.partial and not got


def test_big_frame_in_many_chunks() -> None:
    got: Got = []
    r = reader(got)
    body = bytes(range(256)) * 4096  # 1 MiB
    data = frames.frame(frames.RESPONSE, 5, body)
    for i in range(0, len(data), 1000):
        r.feed(data[i : i + 1000])
    assert got == [(frames.RESPONSE, 5, body)]


def test_oversize_and_unknown_frames_are_refused() -> None:
    with pytest.raises(FrameError, match="exceeds the limit"):
        reader([], max_frame=10).feed(frames.HEADER.pack(11, frames.RESPONSE, 1))
    with pytest.raises(FrameError, match="unknown frame type 99"):
        reader([]).feed(frames.HEADER.pack(0, 99, 1))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00" * 24,
        frames.REQUEST_FIXED.pack(1, frames.FLAG_EXTRA, 0.0, 0) + b"\x01",
        frames.REQUEST_FIXED.pack(1, frames.FLAG_EXTRA, 0.0, 0) + b"\xff\x00\x00\x00",
        frames.REQUEST_FIXED.pack(1, frames.FLAG_EXTRA, 0.0, 0) + b"\x01\x00\x00\x00\xc1",
        frames.REQUEST_FIXED.pack(1, 0x80, 0.0, 0),
        frames.REQUEST_FIXED.pack(1, frames.FLAG_DEADLINE, math.nan, 0),
        frames.REQUEST_FIXED.pack(1, frames.FLAG_DEADLINE, -1.0, 0),
    ],
)
def test_malformed_requests(body: bytes) -> None:
    with pytest.raises(FrameError):
        frames.decode_request(body, 0, len(body))


def test_malformed_hello() -> None:
    with pytest.raises(FrameError):
        frames.decode_hello(b"\x93\x01")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8), st.integers(0, 100))
def test_fuzz_reader_raises_only_frame_error(chunks: list[bytes], max_frame: int) -> None:
    got: Got = []
    r = reader(got, max_frame)
    try:
        for chunk in chunks:
            r.feed(chunk)
    except FrameError:
        return
    total = sum(frames.HEADER_SIZE + len(body) for _, _, body in got)
    assert total <= sum(map(len, chunks))
    assert all(len(body) <= max_frame for _, _, body in got)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_fuzz_decode_request_raises_only_frame_error(body: bytes) -> None:
    try:
        req = frames.decode_request(body, 0, len(body))
    except FrameError:
        return
    assert len(req.payload) <= len(body) - frames.REQUEST_FIXED_SIZE


@settings(max_examples=200, deadline=None)
@given(
    rid=st.integers(0, (1 << 64) - 1),
    key=st.integers(0, (1 << 64) - 1),
    deadline=st.none() | st.floats(0, 1e9),
    shard=st.none() | st.integers(0, (1 << 64) - 1),
    md=st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    payload=st.binary(max_size=50),
)
def test_fuzz_request_round_trip(
    rid: int,
    key: int,
    deadline: float | None,
    shard: int | None,
    md: dict[str, str] | None,
    payload: bytes,
) -> None:
    data = frames.request_head(rid, key, len(payload), deadline, shard, None, md) + payload
    got: Got = []
    reader(got).feed(data)
    [(ftype, got_rid, body)] = got
    req = frames.decode_request(body, 0, len(body))
    assert (ftype, got_rid, req.key, req.deadline, req.shard) == (
        frames.REQUEST,
        rid,
        key,
        deadline,
        shard,
    )
    assert (req.metadata, req.payload) == (md or None, payload)
