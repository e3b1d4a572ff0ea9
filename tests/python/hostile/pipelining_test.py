"""10,000 pipelined requests on one connection: all answered, in order, with memory bounded,
also when the client stops reading (the target must stop taking requests).

The client writes in small batches (waiting for the socket to drain) and reads concurrently, as
a fast pipelining client would. Each request carries 1 KiB of headers, so a target that read
ahead without bound would hold ~10 MiB of requests (and their parsed state) at once; weaver's
server and proxy serve one request at a time and stop reading while later ones wait, so the
process's resident memory must stay within `RSS_BOUND` of where it started.
Figures (printed, `-s`): the time for the 10,000 and the peak RSS growth.
"""

from __future__ import annotations

import asyncio
import os
import time

from hostile.targets import TIMEOUT, Target, figure, start

REQUESTS = 10_000
BATCH = 50
PAD = b"X-Pad: " + b"p" * 1024 + b"\r\n"
RESPONSE_PAD = 2048
READ = 16 * 1024  # the client takes at most this much per loop iteration: slower than it sends
RSS_BOUND = 8 * 1024 * 1024
STALL = 1.0  # seconds a drain may take before the client counts its writes as stalled
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """This process's resident set size now, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def request(i: int) -> bytes:
    last = b"Connection: close\r\n" if i == REQUESTS - 1 else b""
    return b"GET /p/%d?pad=%d HTTP/1.1\r\nHost: t\r\n%b%b\r\n" % (i, RESPONSE_PAD, PAD, last)


async def write_all(writer: asyncio.StreamWriter) -> None:
    for start_at in range(0, REQUESTS, BATCH):
        writer.write(b"".join(request(i) for i in range(start_at, min(start_at + BATCH, REQUESTS))))
        await writer.drain()


class Reader:
    """Parses the responses as they come, checking each is the next one in order."""

    def __init__(self) -> None:
        self.answered = 0
        self.peak = 0
        self.buffer = b""

    def take(self) -> None:
        for _ in range(REQUESTS):
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end]
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            assert head.startswith(b"HTTP/1.1 200 "), head
            body = self.buffer[head_end + 4 : end]
            assert body.rstrip(b" ") == b"ok /p/%d" % self.answered, (body[:20], self.answered)
            self.buffer = self.buffer[end:]
            self.answered += 1
            if self.answered % 500 == 0:
                self.peak = max(self.peak, rss())

    async def read_all(self, reader: asyncio.StreamReader) -> None:
        for _ in range(REQUESTS * 100):
            data = await reader.read(READ)
            if not data:
                return
            self.buffer += data
            self.take()
            await asyncio.sleep(0)  # (pacing: one read per loop iteration)


async def pipeline(target: Target) -> tuple[int, float, int, int]:
    """(answered, seconds, RSS before, peak RSS) for REQUESTS pipelined on one connection."""
    reader, writer = await target.connect()
    before = rss()
    r = Reader()
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(write_all(writer), r.read_all(reader))
    finally:
        writer.close()
    return r.answered, time.perf_counter() - t0, before, max(r.peak, rss())


async def test_10000_pipelined_requests_are_answered_in_order_in_bounded_memory(kind: str) -> None:
    async with start(kind) as target:
        await pipeline(target)  # a first run warms the allocator, so the second measures the bound
        answered, seconds, before, peak = await pipeline(target)
        mib = 1024 * 1024
        rate = f"{answered} requests in {seconds:.2f} s ({answered / seconds:.0f}/s)"
        memory = f"RSS {before / mib:.1f} MiB before, peak {peak / mib:.1f} MiB (+{(peak - before) / mib:.1f} MiB)"
        figure("pipelining", kind, f"{rate}, {memory}")
        assert answered == REQUESTS
        assert target.seen.paths[-REQUESTS:] == [f"/p/{i}" for i in range(REQUESTS)]
        assert peak - before < RSS_BOUND
        await asyncio.wait_for(target.assert_serves(), TIMEOUT)


async def test_a_client_that_does_not_read_is_stopped_in_bounded_memory(kind: str) -> None:
    """Pipelining without reading: the target must stop taking requests (its responses would
    pile up), so the client's writes stall; once it reads, everything is answered in order."""
    async with start(kind) as target:
        await pipeline(target)  # warm the allocator, as above
        reader, writer = await target.connect()
        r = Reader()
        before = rss()
        try:
            stalled, taken = False, 0
            for at in range(0, REQUESTS, BATCH):
                writer.write(b"".join(request(i) for i in range(at, at + BATCH)))
                taken = at + BATCH
                try:
                    await asyncio.wait_for(writer.drain(), STALL)
                except TimeoutError:
                    stalled = True  # the target stopped reading: what we expect long before the end
                    break
            grown = rss() - before
            figure("not-reading", kind, f"stalled={stalled} after {taken} requests, RSS +{grown / 2**20:.1f} MiB")
            assert stalled and grown < RSS_BOUND

            async def rest() -> None:
                for at in range(taken, REQUESTS, BATCH):
                    writer.write(b"".join(request(i) for i in range(at, min(at + BATCH, REQUESTS))))
                    await writer.drain()

            async with asyncio.timeout(60):
                await asyncio.gather(rest(), r.read_all(reader))
        finally:
            writer.close()
        assert r.answered == REQUESTS
        await asyncio.wait_for(target.assert_serves(), TIMEOUT)
