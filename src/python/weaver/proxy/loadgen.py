"""Load generator for the benchmark: keep-alive GETs over many connections, in its own process.

`python -m weaver.proxy.loadgen ADDR closed CONNS SECONDS` runs a closed loop (each connection
sends as soon as its last response arrived) to find the saturation rate;
`... open CONNS SECONDS RATE` sends Poisson arrivals at RATE/s (open loop) to measure latency.
Prints one JSON object: rate, p50_us, p99_us, n (recorded), total (with warm-up), and for open
loop the arrivals that found no idle connection (`queued`: the rate is too high to measure
honestly, or the load generator was starved of CPU).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import deque
from typing import cast

import httptools

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


class _Conn(asyncio.Protocol):
    def __init__(self, gen: _Gen) -> None:
        self.gen = gen
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        self.transport.write(REQUEST)

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        self.gen.done(self, time.perf_counter() - self.sent_at)


class _Gen:
    def __init__(self, closed: bool) -> None:
        self.closed = closed
        self.recording = False
        self.latencies: list[float] = []
        self.idle: deque[_Conn] = deque()
        self.backlog = 0
        self.queued = 0
        self.total = 0

    def done(self, conn: _Conn, latency: float) -> None:
        self.total += 1
        if self.recording:
            self.latencies.append(latency)
        if self.closed:
            conn.send()
        elif self.backlog:
            self.backlog -= 1
            conn.send()
        else:
            self.idle.append(conn)

    def arrive(self) -> None:
        if self.idle:
            self.idle.popleft().send()
        else:
            self.backlog += 1
            self.queued += 1


async def run(address: str, mode: str, conns: int, seconds: float, rate: float = 0.0) -> dict[str, float]:
    """One measurement; the first fifth of `seconds` warms up and is not recorded."""
    loop = asyncio.get_running_loop()
    host, _, port = address.rpartition(":")
    gen = _Gen(closed=mode == "closed")
    protos = []
    for _ in range(conns):
        _, proto = await loop.create_connection(lambda: _Conn(gen), host, int(port))
        protos.append(proto)
    warm = seconds / 5
    if gen.closed:
        for p in protos:
            p.send()
        await asyncio.sleep(warm)
        gen.recording = True
        await asyncio.sleep(seconds)
    else:
        gen.idle.extend(protos)
        rng = random.Random(1)
        start = time.perf_counter()
        next_at, stop, record_at = start, start + warm + seconds, start + warm
        while True:
            now = time.perf_counter()
            if now >= stop:
                break
            if not gen.recording and now >= record_at:
                gen.recording, gen.queued = True, 0
            while next_at <= now:
                gen.arrive()
                next_at += rng.expovariate(rate)
            await asyncio.sleep(next_at - now)
    gen.recording = False
    lat = sorted(gen.latencies)
    for p in protos:
        if p.transport is not None:
            p.transport.close()
    n = len(lat)
    return {
        "rate": n / seconds,
        "p50_us": lat[n // 2] * 1e6 if n else 0.0,
        "p99_us": lat[min(n - 1, int(n * 0.99))] * 1e6 if n else 0.0,
        "n": n,
        "queued": gen.queued,
        "total": gen.total,
    }


def main(argv: list[str]) -> None:
    """Parse the positional arguments, run, print JSON."""
    address, mode, conns, seconds = argv[0], argv[1], int(argv[2]), float(argv[3])
    rate = float(argv[4]) if len(argv) > 4 else 0.0
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(address, mode, conns, seconds, rate))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
