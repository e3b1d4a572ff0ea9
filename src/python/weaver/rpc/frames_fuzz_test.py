"""Fuzz target: the rpc frame reader and request header codec, beyond frames_test.py.

frames_test.py feeds random chunks, decodes random request bodies and round-trips requests
without trace context. Here: whole frame sequences cut at arbitrary points come out as they went
in, the size limit holds exactly, requests with trace context and metadata round-trip, and
corrupted encodings of real requests raise FrameError or decode to something the frame holds.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weaver.rpc import frames
from weaver.rpc.frames import FrameError, FrameReader

Got = list[tuple[int, int, bytes]]
U64 = (1 << 64) - 1

_frames = st.lists(
    st.tuples(st.sampled_from(sorted(frames.FRAME_TYPES)), st.integers(0, U64), st.binary(max_size=300)), max_size=8
)


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """Synchronous targets: not run once per event loop as the rpc package's async tests are."""
    return asyncio.DefaultEventLoopPolicy()


def _reader(got: Got, max_frame: int = frames.DEFAULT_MAX_FRAME) -> FrameReader:
    return FrameReader(lambda t, rid, d, s, e: got.append((t, rid, d[s:e])), max_frame)


@settings(max_examples=300, deadline=None)
@given(_frames, st.lists(st.integers(0, 4000), max_size=12))
def test_fuzz_frames_cut_anywhere_come_out_whole(sent: Got, cuts: list[int]) -> None:
    stream = b"".join(frames.frame(t, rid, body) for t, rid, body in sent)
    points = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    got: Got = []
    r = _reader(got)
    for a, b in zip(points, points[1:], strict=False):
        r.feed(stream[a:b])
    assert got == sent
    assert not r.partial


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.integers(0, 1 << 20), st.sampled_from(sorted(frames.FRAME_TYPES)))
def test_fuzz_the_size_limit_is_exact(length: int, limit: int, ftype: int) -> None:
    got: Got = []
    r = _reader(got, limit)
    if length > limit:
        with pytest.raises(FrameError, match="exceeds the limit"):
            r.feed(frames.HEADER.pack(length, ftype, 1))  # refused from the header alone
    else:
        r.feed(frames.HEADER.pack(length, ftype, 1) + bytes(min(length, 64)))
        assert got == ([(ftype, 1, bytes(length))] if length <= 64 else []) and r.partial == (length > 64)


_traces = st.tuples(st.integers(0, (1 << 128) - 1), st.integers(0, U64), st.integers(0, 255))
_metadata = st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    rid=st.integers(0, U64),
    key=st.integers(0, U64),
    deadline=st.none() | st.floats(0, 1e9),
    shard=st.none() | st.integers(0, U64),
    trace=st.none() | _traces,
    md=st.none() | _metadata,
    payload=st.binary(max_size=100),
)
def test_fuzz_request_with_trace_round_trips(
    rid: int,
    key: int,
    deadline: float | None,
    shard: int | None,
    trace: frames.Trace | None,
    md: dict[str, str] | None,
    payload: bytes,
) -> None:
    got: Got = []
    _reader(got).feed(frames.request_head(rid, key, len(payload), deadline, shard, trace, md) + payload)
    [(ftype, got_rid, body)] = got
    req = frames.decode_request(body, 0, len(body))
    assert (ftype, got_rid) == (frames.REQUEST, rid)
    assert (req.key, req.deadline, req.shard, req.trace) == (key, deadline, shard, trace)
    assert (req.metadata, req.payload) == (md or None, payload)


@st.composite
def _corrupted_requests(draw: st.DrawFn) -> bytes:
    trace = draw(st.none() | _traces)
    md = draw(st.none() | _metadata)
    payload = draw(st.binary(max_size=40))
    body = bytearray(frames.request_head(1, 7, len(payload), 1.0, 3, trace, md)[frames.HEADER_SIZE :] + payload)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(body)))
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and i < len(body):
            body[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del body[i:]
        else:
            body[i:i] = draw(st.binary(min_size=1, max_size=8))
    return bytes(body)


@settings(max_examples=400, deadline=None)
@given(_corrupted_requests())
def test_fuzz_corrupted_requests_raise_only_frame_error(body: bytes) -> None:
    try:
        req = frames.decode_request(body, 0, len(body))
    except FrameError:
        return
    assert req.deadline is None or req.deadline >= 0.0
    assert req.trace is None or all(0 <= part for part in req.trace)
    assert len(req.payload) <= len(body) - frames.REQUEST_FIXED_SIZE
    assert req.metadata is None or all(isinstance(k, str) and isinstance(v, str) for k, v in req.metadata.items())
