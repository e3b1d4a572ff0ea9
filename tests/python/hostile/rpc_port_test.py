"""Hostile input on a real replica's internal rpc port (issue 17, part 3, second half).

Each case attacks the Greeter's replica of a hello deployment (replica_rig.py) through its rpc
address in status.json, then checks that the process survived (same pid, in /proc and in
status.json), that its memory stayed bounded (peak RSS growth, VmHWM), that its log names the
attacking peer (ip:port) with the reason, and that a request through the app is still served
by that replica. The in-process cases of `weaver/rpc/badinput_test.py` are not repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from hostile.replica_rig import Replica, closed_after, deployment, handshake, read_frame, rpc_connect, send_quietly
from weaver.rpc import frames
from weaver.rpc.protocol import DEFAULT_READ_TIMEOUT

BOUND_KIB = 8 * 1024
"""Peak RSS growth allowed for a case of one connection: the replica may hold a read or two
(256 KiB each) and a hello (64 KiB) per connection, never what the peer announces or sends."""
IDLE = 1000
IDLE_BOUND_KIB = 32 * 1024
"""RSS growth allowed with 1,000 silent connections open (a connection costs a few KiB)."""
REFUSED_AT_ONCE = 2.0
"""A refusal decided from bytes already sent must not wait for the read timeout (10 s)."""


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """These tests are synchronous (blocking sockets): not run once per event loop as the others."""
    return asyncio.DefaultEventLoopPolicy()


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with deployment() as r:
        yield r


class Survival:
    """Before/after checks around one case."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self.since = time.time()
        replica.reset_peak()
        self.rss, self.hwm = replica.memory_kib()

    def check(self, case: str, bound_kib: int = BOUND_KIB) -> None:
        r = self.replica
        assert os.path.exists(f"/proc/{r.pid}") and r.published_pid() == r.pid, "the replica was replaced"
        rss, hwm = r.memory_kib()
        print(f"\n{case}: VmRSS {self.rss} -> {rss} KiB, peak growth {hwm - self.hwm} KiB")
        assert hwm - self.hwm < bound_kib, f"peak RSS grew {hwm - self.hwm} KiB"
        assert r.hello("after-" + case.replace(" ", "-")) == r.pid  # a legitimate call, served by this replica


def hello_frame(replica: Replica, protocol: int = frames.PROTOCOL_VERSION, version: str = "") -> bytes:
    return frames.hello_frame(frames.Hello(protocol, replica.app, version or replica.version, "attacker"))


def test_random_bytes(replica: Replica) -> None:
    survival = Survival(replica)
    rng = random.Random(17)
    peers = []
    for i in range(40):  # 20 before any hello, 20 after a valid one
        s, peer = handshake(replica) if i % 2 else rpc_connect(replica)
        with s:
            send_quietly(s, rng.randbytes(rng.choice([13, 100, 4096, 1 << 20])))
            with contextlib.suppress(OSError):  # then EOF: every case ends now, none on a timer
                s.shutdown(socket.SHUT_WR)
            assert closed_after(s) < REFUSED_AT_ONCE
        peers.append(peer)
    replica.wait_logged(peers, survival.since)
    survival.check("random bytes")


TRUNCATED = {
    "header": lambda r: frames.HEADER.pack(40, frames.HELLO, 0)[:6],
    "hello": lambda r: hello_frame(r)[:-3],
    "request": lambda r: frames.request_head(1, 7, 100, None, None, None, None) + b"abc",
}


@pytest.mark.parametrize("where", sorted(TRUNCATED))
def test_truncated_frame_then_eof(replica: Replica, where: str) -> None:
    survival = Survival(replica)
    s, peer = handshake(replica) if where == "request" else rpc_connect(replica)
    with s:
        s.sendall(TRUNCATED[where](replica))
        s.shutdown(socket.SHUT_WR)
        assert closed_after(s) < REFUSED_AT_ONCE
    [line] = replica.wait_logged([peer], survival.since)
    assert "middle of a frame" in line, line
    survival.check(f"truncated {where}")


@pytest.mark.parametrize(
    ("case", "after_hello", "ftype", "length"),
    [
        ("4gib-before-hello", False, frames.REQUEST, 0xFFFFFFFF),
        ("4gib-hello", False, frames.HELLO, 0xFFFFFFFF),
        ("4gib-after-hello", True, frames.REQUEST, 0xFFFFFFFF),
        ("60mib-hello", False, frames.HELLO, 60 << 20),  # under the frame limit, over a hello's
    ],
)
def test_huge_frame_announced(replica: Replica, case: str, after_hello: bool, ftype: int, length: int) -> None:
    survival = Survival(replica)
    s, peer = handshake(replica) if after_hello else rpc_connect(replica)
    with s:
        sent = send_quietly(s, frames.HEADER.pack(length, ftype, 1) + b"\x00" * (16 << 20))
        assert closed_after(s) < REFUSED_AT_ONCE
    [line] = replica.wait_logged([peer], survival.since)
    assert "exceeds the limit" in line, line
    print(f"\n{case}: {sent} of {16 << 20} body bytes taken before the close")
    survival.check(case)


@pytest.mark.parametrize("case", ["protocol", "version"])
def test_wrong_version_hello_is_refused(replica: Replica, case: str) -> None:
    survival = Survival(replica)
    s, peer = rpc_connect(replica)
    with s:
        wrong = {
            "protocol": (hello_frame(replica, protocol=frames.PROTOCOL_VERSION + 1), "protocol 2 != 1"),
            "version": (hello_frame(replica, version="0" * 64), f"peer runs {replica.app}@{'0' * 64}"),
        }
        sent, why = wrong[case]
        s.sendall(sent)
        ftype, body = read_frame(s)
        refusal = frames.decode_hello(body).refusal
        assert ftype == frames.HELLO and why in refusal, refusal
        assert closed_after(s) < REFUSED_AT_ONCE
    lines = replica.wait_logged([peer], survival.since)
    assert any("refusing" in line for line in lines), lines
    survival.check(f"wrong {case}")


def test_second_hello(replica: Replica) -> None:
    survival = Survival(replica)
    s, peer = handshake(replica)
    with s:
        s.sendall(hello_frame(replica))
        assert closed_after(s) < REFUSED_AT_ONCE
    [line] = replica.wait_logged([peer], survival.since)
    assert "unexpected frame type 1" in line, line
    survival.check("second hello")


def test_a_thousand_idle_connections(replica: Replica) -> None:
    """Silent connections are closed DEFAULT_READ_TIMEOUT (10 s) after they connect, each logged;
    one that said hello first is a peer, and peers keep idle connections: it stays open."""
    survival = Survival(replica)
    sel = selectors.DefaultSelector()
    opened: dict[socket.socket, tuple[str, float]] = {}
    closed: dict[str, float] = {}
    greeted, _ = handshake(replica)
    try:
        for _ in range(IDLE):
            s, peer = rpc_connect(replica)
            s.setblocking(False)
            opened[s] = (peer, time.monotonic())
            sel.register(s, selectors.EVENT_READ)
        took = time.monotonic() - min(t for _, t in opened.values())
        rss_open = replica.memory_kib()[0]
        assert replica.hello("while-idle") == replica.pid  # served while they are all open
        deadline = time.monotonic() + DEFAULT_READ_TIMEOUT + 20.0
        while len(closed) < IDLE and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                conn = key.fileobj
                assert isinstance(conn, socket.socket)
                try:
                    data = conn.recv(4096)
                except ConnectionResetError:
                    data = b""
                assert not data, data  # nothing is sent to a peer that never said hello
                peer, at = opened[conn]
                closed[peer] = time.monotonic() - at
                sel.unregister(conn)
        greeted.setblocking(False)
        with pytest.raises(BlockingIOError):  # still open, nothing to read: not closed for idleness
            greeted.recv(1)
    finally:
        sel.close()
        greeted.close()
        for s in opened:
            s.close()
    assert len(closed) == IDLE, f"{IDLE - len(closed)} still open after {DEFAULT_READ_TIMEOUT + 20} s"
    after = sorted(closed.values())
    print(f"\n{IDLE} idle: opened in {took:.2f} s, RSS {survival.rss} -> {rss_open} KiB while open;")
    print(f"closed after {after[0]:.2f}-{after[-1]:.2f} s (median {after[IDLE // 2]:.2f} s)")
    assert DEFAULT_READ_TIMEOUT - 0.1 <= after[0] and after[-1] <= DEFAULT_READ_TIMEOUT + 5.0, (after[0], after[-1])
    assert rss_open - survival.rss < IDLE_BOUND_KIB
    lines = replica.wait_logged(list(closed), survival.since, timeout=30.0)
    assert all(f"no hello within {DEFAULT_READ_TIMEOUT:g}s" in line for line in lines), lines[:3]
    survival.check(f"{IDLE} idle", IDLE_BOUND_KIB)
