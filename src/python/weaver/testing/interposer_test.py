"""The interposer between a real rpc client and server: each fault hits one call, not the connection."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

import weaver
from weaver.errors import CommunicationError, DeadlineExceeded
from weaver.rpc.client import Connection, connect
from weaver.rpc.protocol import Identity
from weaver.rpc.replicaset import ReplicaSet
from weaver.rpc.server import Server
from weaver.testing.eventually import eventually
from weaver.testing.interposer import Interposer, Rule

APP, VERSION = "app", "v1"
CLIENT = Identity(APP, VERSION, "client")
ECHO, GATED = 1, 2


class Callee:
    """A server whose handlers count runs; GATED calls wait until `gate` opens."""

    def __init__(self) -> None:
        self.runs: list[bytes] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.server = Server({ECHO: self.echo, GATED: self.gated}, APP, VERSION, "r1")

    async def echo(self, payload: bytes) -> bytes:
        self.runs.append(payload)
        return payload

    async def gated(self, payload: bytes) -> bytes:
        self.runs.append(payload)
        await self.gate.wait()
        return payload


@asynccontextmanager
async def route() -> AsyncIterator[tuple[Callee, Interposer]]:
    """A server on 127.0.0.1 and an interposer in front of it; both closed on exit."""
    callee = Callee()
    upstream = await callee.server.listen("tcp://127.0.0.1:0")
    tmp = tempfile.mkdtemp(prefix="wip")
    ip = Interposer(os.path.join(tmp, "r.sock"), upstream, "test->Callee@r1")
    await ip.start()
    try:
        yield callee, ip
    finally:
        callee.gate.set()
        await ip.close()
        await callee.server.close()
        shutil.rmtree(tmp, ignore_errors=True)


@asynccontextmanager
async def client(ip: Interposer) -> AsyncIterator[Connection]:
    conn = await connect(ip.address, CLIENT, timeout=2.0)
    try:
        yield conn
    finally:
        conn.close("test done")


async def outcome(call: asyncio.Future[bytes] | asyncio.Task[bytes]) -> bytes | BaseException:
    try:
        return await call
    except Exception as e:  # noqa: BLE001 - the test inspects it
        return e


async def test_concurrent_calls_pass_through_unchanged() -> None:
    async with route() as (_, ip), client(ip) as conn:
        payloads = [f"call {i}".encode() * (i + 1) for i in range(50)]
        async with asyncio.timeout(10):
            got = await asyncio.gather(*(conn.call(ECHO, p) for p in payloads))
        assert got == payloads
        assert ip.requests == 50 and ip.connections == 1


async def test_fail_after_loses_every_reply_but_each_callee_ran_once() -> None:
    n = 10
    async with route() as (callee, ip), client(ip) as conn:
        callee.gate.clear()
        ip.set_rule(Rule("fail_after"))
        calls = [asyncio.ensure_future(conn.call(GATED, b"%d" % i, retriable=False)) for i in range(n)]
        await eventually(lambda: len(callee.runs) == n, timeout=5, what="every call to reach the callee")
        callee.gate.set()
        async with asyncio.timeout(5):
            results = [await outcome(c) for c in calls]
        assert all(isinstance(r, CommunicationError) for r in results), results
        assert "reply lost" in str(results[0])
        assert sorted(callee.runs) == sorted(b"%d" % i for i in range(n))
        assert ip.lost == n and not conn.closed  # the connection itself was never cut
        ip.set_rule(None)
        assert await conn.call(ECHO, b"healed") == b"healed"


async def test_fail_after_once_loses_one_reply_of_many_in_flight() -> None:
    # Cutting the connection at the first reply would fail all five calls: one must fail.
    async with route() as (callee, ip), client(ip) as conn:
        callee.gate.clear()
        ip.set_rule(Rule("fail_after", times=1))
        calls = [asyncio.ensure_future(conn.call(GATED, b"%d" % i, retriable=False)) for i in range(5)]
        await eventually(lambda: len(callee.runs) == 5, timeout=5, what="every call to reach the callee")
        callee.gate.set()
        async with asyncio.timeout(5):
            results = [await outcome(c) for c in calls]
        failed = [r for r in results if isinstance(r, CommunicationError)]
        assert len(failed) == 1, results
        assert sorted(r for r in results if isinstance(r, bytes)) == sorted(
            b"%d" % i for i in range(5) if results[i] is not failed[0]
        )
        assert len(callee.runs) == 5 and not conn.closed


async def test_fail_after_retriable_runs_twice_and_succeeds_non_retriable_once_and_fails() -> None:
    async with route() as (callee, ip):
        rs = ReplicaSet(CLIENT, [ip.address], name="Callee")
        try:
            ip.set_rule(Rule("fail_after", times=1))
            async with asyncio.timeout(10):
                assert await rs.call(ECHO, b"retriable", retriable=True) == b"retriable"
            assert callee.runs == [b"retriable", b"retriable"]
            ip.set_rule(Rule("fail_after", times=1))
            callee.runs.clear()
            with pytest.raises(CommunicationError):
                await rs.call(ECHO, b"once", retriable=False)
            assert callee.runs == [b"once"]
        finally:
            await rs.close()


async def test_fail_before_the_callee_never_sees_the_call() -> None:
    async with route() as (callee, ip):
        rs = ReplicaSet(CLIENT, [ip.address], name="Callee")
        try:
            ip.set_rule(Rule("fail_before"))
            with pytest.raises(CommunicationError, match="fail_before"):
                await rs.call(ECHO, b"x", retriable=False)
            assert callee.runs == [] and ip.failed_before == 1
            ip.set_rule(Rule("fail_before", times=1))
            async with asyncio.timeout(10):
                assert await rs.call(ECHO, b"retried", retriable=True) == b"retried"
            assert callee.runs == [b"retried"]  # the first attempt never ran
        finally:
            await rs.close()


async def test_a_delay_beyond_the_deadline_is_a_deadline_error_and_the_request_never_runs() -> None:
    async with route() as (callee, ip), client(ip) as conn:
        ip.set_rule(Rule("delay", seconds=30.0))
        with pytest.raises(DeadlineExceeded):
            async with weaver.deadline(0.2):
                await conn.call(ECHO, b"late")
        # The caller's cancel reaches the interposer and drops the held request.
        await eventually(lambda: ip.held == 0, timeout=5, what="the cancel")
        assert callee.runs == [] and ip.requests == 0


async def test_delayed_calls_are_held_independently_not_one_after_another() -> None:
    delay, n = 0.4, 5
    async with route() as (_, ip), client(ip) as conn:
        ip.set_rule(Rule("delay", seconds=delay))
        start = time.monotonic()
        calls = []
        for i in range(n):  # one call per loop turn: each request is its own chunk
            calls.append(asyncio.ensure_future(conn.call(ECHO, b"%d" % i)))
            await asyncio.sleep(0)
        async with asyncio.timeout(10):
            got = await asyncio.gather(*calls)
        elapsed = time.monotonic() - start
        assert got == [b"%d" % i for i in range(n)]
        assert delay <= elapsed < delay * n * 0.75, elapsed  # serial holding would take n * delay


async def test_delayed_replies_the_callee_ran_the_caller_missed_its_deadline() -> None:
    async with route() as (callee, ip), client(ip) as conn:
        ip.set_rule(Rule("delay", seconds=30.0, replies=True))
        with pytest.raises(DeadlineExceeded):
            async with weaver.deadline(0.3):
                await conn.call(ECHO, b"ran")
        assert callee.runs == [b"ran"]


async def test_heal_releases_held_requests_at_once() -> None:
    async with route() as (_, ip), client(ip) as conn:
        ip.set_rule(Rule("delay", seconds=60.0))
        call = asyncio.ensure_future(conn.call(ECHO, b"held"))
        await eventually(lambda: ip.held == 1, timeout=5, what="the request to be held")
        ip.set_rule(None)
        async with asyncio.timeout(5):
            assert await call == b"held"


async def test_a_fault_with_times_stops_after_that_many_calls() -> None:
    async with route() as (callee, ip), client(ip) as conn:
        rule = Rule("fail_before", times=2)
        ip.set_rule(rule)
        results = [await outcome(asyncio.ensure_future(conn.call(ECHO, b"%d" % i))) for i in range(4)]
        assert [type(r) for r in results] == [CommunicationError, CommunicationError, bytes, bytes]
        assert rule.hits == 2 and callee.runs == [b"2", b"3"]


async def test_a_dead_upstream_refuses_the_connection() -> None:
    async with route() as (callee, ip):
        await callee.server.close()
        with pytest.raises(CommunicationError):
            await connect(ip.address, CLIENT, timeout=2.0)


def test_bad_rules_are_refused_with_their_values() -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'crash'"):
        Rule("crash")
    with pytest.raises(ValueError, match="-1"):
        Rule("delay", seconds=-1)


async def test_a_rule_for_one_method_spares_the_others() -> None:
    async with route() as (callee, ip), client(ip) as conn:
        ip.set_rule(Rule("fail_after", method=GATED))
        assert await conn.call(ECHO, b"spared") == b"spared"
        with pytest.raises(CommunicationError):
            await conn.call(GATED, b"lost")
        assert callee.runs == [b"spared", b"lost"] and ip.calls == {ECHO: 1, GATED: 1}
