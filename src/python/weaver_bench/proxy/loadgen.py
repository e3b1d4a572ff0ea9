"""The proxy benchmark's other end: the load generator and the backend, in one spinning process.

`python -m weaver_bench.proxy.loadgen` listens as the backend (a fixed small "ok" response), prints
"listening on HOST:PORT", then runs one measurement per line read from stdin and prints its
result as one JSON line:

    ADDRESS closed CONNS SECONDS        closed loop: each connection sends when answered
    ADDRESS open CONNS SECONDS RATE     open loop: Poisson arrivals at RATE/s

ADDRESS is the backend itself (direct) or the proxy in front of it. Results: rate, p50_us,
p99_us, n (recorded), total (with warm-up), and `queued`, the open-loop arrivals that found no
idle connection (the rate is too high to measure honestly).

Why one process that never sleeps: on a small virtual machine a sleep and wake-up costs tens of
microseconds of CPU and latency, and event loops time in milliseconds. Busy-polling (epoll with
a zero timeout) keeps arrivals on time to a few microseconds and keeps the generator and the
backend off the proxy's core; the benchmark pins this process to one core and the proxy to
another. The direct path (client and backend in this process) pays no wake-up at all, so the
latency the proxy adds is measured in full: two extra hops and the proxy's own wake-ups.
"""

from __future__ import annotations

import json
import random
import select
import socket
import sys
import time
from collections import deque
from collections.abc import Callable

import httptools

from weaver.internal.address import parse_address

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send a small message on a non-blocking socket; loopback buffers take it whole."""
    if sock.send(data) != len(data):
        raise RuntimeError(f"short send to {sock.getpeername()}")


class _ServerConn:
    """One connection to the backend: answers every complete request with RESPONSE."""

    __slots__ = ("sock", "parser")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.parser = httptools.HttpRequestParser(self)

    def readable(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.parser.feed_data(data)
        return True

    def on_message_complete(self) -> None:
        _send_all(self.sock, RESPONSE)


class _ClientConn:
    """One keep-alive client connection with at most one request in flight."""

    __slots__ = ("sock", "parser", "sent_at", "complete")

    def __init__(self, address: tuple[str, int]) -> None:
        self.sock = socket.create_connection(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.parser = httptools.HttpResponseParser(self)
        self.sent_at = 0.0
        self.complete = False

    def send(self, now: float) -> None:
        self.complete = False
        self.sent_at = now
        _send_all(self.sock, REQUEST)

    def on_message_complete(self) -> None:
        self.complete = True

    def response_done(self) -> bool:
        """Read what arrived; True when the response is complete."""
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError(f"{self.sock.getpeername()} closed a keep-alive connection")
        self.parser.feed_data(data)
        return self.complete


class Peer:
    """The backend listener plus a measurement runner, sharing one epoll that is spun, not slept on."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.epoll = select.epoll()
        self.listener = socket.create_server((host, 0), backlog=1024)
        self.listener.setblocking(False)
        self.handlers: dict[int, Callable[[], None]] = {self.listener.fileno(): self._accept}
        self.epoll.register(self.listener.fileno(), select.EPOLLIN)
        self.address = "%s:%d" % self.listener.getsockname()[:2]
        self._on_response: Callable[[_ClientConn], None] = lambda conn: None

    def _watch(self, sock: socket.socket, handler: Callable[[], None]) -> None:
        self.handlers[sock.fileno()] = handler
        self.epoll.register(sock.fileno(), select.EPOLLIN)

    def _unwatch(self, sock: socket.socket) -> None:
        self.epoll.unregister(sock.fileno())
        del self.handlers[sock.fileno()]
        sock.close()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except BlockingIOError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            conn = _ServerConn(sock)

            def readable(conn: _ServerConn = conn) -> None:
                if not conn.readable():
                    self._unwatch(conn.sock)

            self._watch(sock, readable)

    def _client(self, address: tuple[str, int]) -> _ClientConn:
        conn = _ClientConn(address)

        def readable() -> None:
            if conn.response_done():
                self._on_response(conn)

        self._watch(conn.sock, readable)
        return conn

    def spin(self, seconds: float) -> None:
        """Serve the backend (and any measurement in progress) for `seconds`."""
        until = time.perf_counter() + seconds
        poll, handlers = self.epoll.poll, self.handlers
        while time.perf_counter() < until:
            for fd, _ in poll(0):
                handlers[fd]()

    def measure(self, address: str, mode: str, conns: int, seconds: float, rate: float = 0.0) -> dict[str, float]:
        """One measurement; a warm-up of a fifth of `seconds` comes first and is not recorded."""
        target = parse_address(address, what="target address")
        pool = [self._client(target) for _ in range(conns)]
        closed = mode == "closed"
        idle: deque[_ClientConn] = deque()
        latencies: list[float] = []
        backlog = queued = total = 0

        def on_response(conn: _ClientConn) -> None:
            nonlocal backlog, total
            now = time.perf_counter()
            latencies.append(now - conn.sent_at)
            total += 1
            if closed:
                conn.send(now)
            elif backlog:
                backlog -= 1
                conn.send(now)
            else:
                idle.append(conn)

        self._on_response = on_response
        rng = random.Random(1)
        start = time.perf_counter()
        record_at, stop = start + seconds / 5, start + seconds / 5 + seconds
        recording = False
        if closed:
            for c in pool:
                c.send(start)
        else:
            idle.extend(pool)
        next_at = float("inf") if closed else start
        poll, handlers = self.epoll.poll, self.handlers
        now = start
        while now < stop:
            if not recording and now >= record_at:
                recording, queued = True, 0
                del latencies[:]
            while next_at <= now:
                if idle:
                    idle.popleft().send(now)
                else:
                    backlog += 1
                    queued += 1
                next_at += rng.expovariate(rate)
            for fd, _ in poll(0):
                handlers[fd]()
            now = time.perf_counter()
        self._on_response = lambda conn: None
        self.spin(0.05)  # let answers in flight arrive before closing
        for c in pool:
            self._unwatch(c.sock)
        lat = sorted(latencies)
        n = len(lat)
        return {
            "rate": n / seconds,
            "p50_us": lat[n // 2] * 1e6 if n else 0.0,
            "p99_us": lat[min(n - 1, int(n * 0.99))] * 1e6 if n else 0.0,
            "n": n,
            "queued": queued,
            "total": total,
        }


def main() -> None:
    """Listen, then run the measurements named on stdin, one JSON result line each."""
    peer = Peer()
    print("listening on", peer.address, flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        address, mode, conns, seconds = words[0], words[1], int(words[2]), float(words[3])
        rate = float(words[4]) if len(words) > 4 else 0.0
        print(json.dumps(peer.measure(address, mode, conns, seconds, rate)), flush=True)


if __name__ == "__main__":
    main()
