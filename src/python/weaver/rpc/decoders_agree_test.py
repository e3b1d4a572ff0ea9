"""The wire header has three decoders (the frame reader, and the client's and the server's
inline fast paths); a differential test shows they agree on any stream of frames cut anywhere.

The reader decodes a stream offline; the same bytes, cut at the same places, go over a real
socket to a real server (requests) or to a real client (responses), whose inline paths take
what they can and hand the rest to their readers. Every decoder must see the same frames.
"""

from __future__ import annotations

import asyncio
import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weaver.rpc import frames
from weaver.rpc.client import connect
from weaver.rpc.conftest import CLIENT, RawPeer, echo, serving
from weaver.rpc.protocol import Identity

SERVER = Identity(CLIENT.app, CLIENT.version, "fake-server")
TIMEOUT = 5.0

requests = st.lists(
    st.tuples(
        st.binary(max_size=300),
        st.none() | st.just(5.0),  # deadline
        st.none() | st.integers(0, 2**64 - 1),  # shard
        st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1, max_size=2),
    ),
    min_size=1,
    max_size=12,
)
cuts = st.lists(st.integers(1, 4000), max_size=8)


def cut(stream: bytes, at: list[int]) -> list[bytes]:
    """`stream` split at the positions `at` (sorted, inside the stream)."""
    points = sorted({p for p in at if 0 < p < len(stream)})
    return [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]


def offline(chunks: list[bytes]) -> dict[int, bytes]:
    """The frame reader's view: request id -> request payload, or -> response body."""
    got: dict[int, bytes] = {}

    def sink(ftype: int, rid: int, data: bytes, start: int, end: int) -> None:
        got[rid] = frames.decode_request(data, start, end).payload if ftype == frames.REQUEST else data[start:end]

    reader = frames.FrameReader(sink)
    for chunk in chunks:
        reader.feed(chunk)
    assert not reader.partial
    return got


def request_stream(reqs: list[tuple[bytes, float | None, int | None, dict[str, str] | None]]) -> bytes:
    return b"".join(
        frames.request_head(rid, 1, len(p), deadline, shard, None, meta) + p
        for rid, (p, deadline, shard, meta) in enumerate(reqs, 1)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reqs=requests, at=cuts)
def test_the_server_decodes_requests_as_the_reader_does(
    reqs: list[tuple[bytes, float | None, int | None, dict[str, str] | None]], at: list[int]
) -> None:
    chunks = cut(request_stream(reqs), at)
    expected = offline(chunks)

    async def scenario() -> dict[int, bytes]:
        async with serving({1: echo}) as (_, address):
            peer = await RawPeer.open(address)
            try:
                for chunk in chunks:
                    peer.writer.write(chunk)
                    await peer.writer.drain()
                replies = [await peer.read_frame(TIMEOUT) for _ in reqs]
            finally:
                peer.close()
        assert {ftype for ftype, _, _ in replies} == {frames.RESPONSE}
        return {rid: body for _, rid, body in replies}

    assert asyncio.run(scenario()) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(st.binary(max_size=300), min_size=1, max_size=12), at=cuts)
def test_the_client_decodes_responses_as_the_reader_does(bodies: list[bytes], at: list[int]) -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        asked: list[int] = []  # request ids in the order the fake server read them
        arrived = asyncio.Event()
        sent: list[list[bytes]] = []

        async def fake_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = RawPeer(reader, writer)
            ftype, _, _ = await peer.read_frame(TIMEOUT)
            assert ftype == frames.HELLO
            writer.write(frames.hello_frame(SERVER.hello()))
            for _ in bodies:
                ftype, rid, _ = await peer.read_frame(TIMEOUT)
                assert ftype == frames.REQUEST
                asked.append(rid)
            # Responses in reverse order of the requests, as one stream cut at the given places.
            stream = b"".join(frames.frame(frames.RESPONSE, rid, bodies[rid - 1]) for rid in reversed(asked))
            sent.append(cut(stream, at))
            for chunk in sent[0]:
                writer.write(chunk)
                await writer.drain()
            arrived.set()
            with contextlib.suppress(ConnectionError):
                await reader.read()  # until the client closes
            writer.close()

        server = await asyncio.start_server(fake_server, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            conn = await connect(f"tcp://127.0.0.1:{port}", CLIENT, timeout=TIMEOUT)
            try:
                calls = [conn.call(1, str(i).encode()) for i in range(len(bodies))]
                results = await asyncio.wait_for(asyncio.gather(*calls), TIMEOUT)
                await asyncio.wait_for(arrived.wait(), TIMEOUT)
            finally:
                conn.close("test done")
        finally:
            server.close()
            await server.wait_closed()
        by_rid = offline(sent[0])
        return list(results), [by_rid[rid] for rid in range(1, len(bodies) + 1)]

    results, expected = asyncio.run(scenario())
    assert results == expected
    assert results == bodies  # call i was request id i + 1: each got its own reply
