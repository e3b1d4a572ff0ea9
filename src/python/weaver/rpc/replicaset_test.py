"""Balancing, routing by key and retries over real replicas."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest

from weaver.errors import AppError, CommunicationError, DeadlineExceeded
from weaver.internal import callctx
from weaver.internal.keys import shard_hash
from weaver.rpc import backoff
from weaver.rpc.conftest import CLIENT, serving
from weaver.rpc.replica import State
from weaver.rpc.replicaset import ReplicaSet
from weaver.rpc.server import Server
from weaver.testing.eventually import eventually

WHO, FAIL, DROP = 1, 2, 3


class Boom(AppError):
    pass


class Replicas:
    """N servers whose handlers say which replica ran them and count calls."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.servers: list[Server] = []

    def handlers(self, name: str) -> dict[int, object]:
        async def who(payload: bytes) -> bytes:
            self.calls[name] += 1
            return name.encode()

        async def fail(payload: bytes) -> bytes:
            self.calls[name] += 1
            raise Boom(name)

        async def drop(payload: bytes) -> bytes:
            # Kill the connection mid-call: the caller sees a communication failure.
            self.calls[name] += 1
            for server in self.servers:
                for conn in list(server.connections):
                    conn.abort()
            await asyncio.sleep(10)
            return b""

        return {WHO: who, FAIL: fail, DROP: drop}


@asynccontextmanager
async def replicas(n: int) -> AsyncIterator[tuple[Replicas, list[str]]]:
    r = Replicas()
    async with AsyncExitStack() as stack:
        addresses = []
        for i in range(n):
            server, address = await stack.enter_async_context(
                serving(r.handlers(f"r{i}"), replica=f"r{i}")  # type: ignore[arg-type]
            )
            r.servers.append(server)
            addresses.append(address)
        yield r, addresses


@asynccontextmanager
async def replica_set(addresses: list[str]) -> AsyncIterator[ReplicaSet]:
    rs = ReplicaSet(CLIENT, addresses, name="Test")
    try:
        yield rs
    finally:
        await rs.close()


async def dead_address() -> str:
    async with serving({}) as (_, address):
        pass
    return address


async def test_round_robin_spreads_calls_evenly() -> None:
    async with replicas(3) as (r, addresses), replica_set(addresses) as rs:
        for _ in range(30):
            await rs.call(WHO, b"", True, None)
        assert sorted(r.calls.values()) == [10, 10, 10]
        assert set(rs.states().values()) == {State.ACTIVE}


async def test_routed_calls_stick_to_one_replica() -> None:
    async with replicas(3) as (_, addresses), replica_set(addresses) as rs:
        owners = {}
        for user in range(50):
            shard = shard_hash(f"user{user}")
            got = {await rs.call(WHO, b"", True, shard) for _ in range(3)}
            assert len(got) == 1
            owners[user] = got.pop()
        assert len(set(owners.values())) == 3  # keys spread over all replicas


async def test_routing_update_moves_few_keys() -> None:
    async with replicas(4) as (_, addresses), replica_set(addresses[:3]) as rs:
        keys = [shard_hash(i) for i in range(200)]
        before = [await rs.call(WHO, b"", True, k) for k in keys]
        rs.update(addresses)  # a fourth replica joins
        after = [await rs.call(WHO, b"", True, k) for k in keys]
        moved = [a for b, a in zip(before, after, strict=True) if a != b]
        assert set(moved) == {b"r3"}  # keys only move to the new replica
        assert 20 < len(moved) < 90  # about a quarter
        rs.update(addresses[1:])  # r0 leaves: only its keys move
        again = [await rs.call(WHO, b"", True, k) for k in keys]
        changed = {(a, b) for a, b in zip(after, again, strict=True) if a != b}
        assert {a for a, _ in changed} == {b"r0"}


async def test_removed_replica_drains_and_closes() -> None:
    async with replicas(2) as (_, addresses), replica_set(addresses) as rs:
        for _ in range(4):
            await rs.call(WHO, b"", True, None)
        old = rs.replicas[addresses[0]]
        rs.update(addresses[1:])
        for _ in range(4):
            assert await rs.call(WHO, b"", True, None) == b"r1"
        await eventually(lambda: old.state is State.CLOSED, timeout=5, what="the removed replica to close")


async def test_retriable_call_skips_a_dead_replica() -> None:
    dead = await dead_address()
    async with replicas(1) as (_, addresses), replica_set([dead, *addresses]) as rs:
        for _ in range(10):
            assert await rs.call(WHO, b"", True, None) == b"r0"


async def test_not_retriable_call_is_never_retried() -> None:
    async with replicas(2) as (r, addresses), replica_set(addresses) as rs:
        with pytest.raises(CommunicationError):
            await rs.call(DROP, b"", False, None)
        assert sum(r.calls.values()) == 1


async def test_retriable_call_is_retried_on_communication_failure() -> None:
    async with replicas(2) as (r, addresses), replica_set(addresses) as rs:
        callctx.deadline.set(time.monotonic() + 0.5)
        with pytest.raises(DeadlineExceeded):
            await rs.call(DROP, b"", True, None)  # every attempt drops the connection
        assert sum(r.calls.values()) >= 3


async def test_app_errors_are_not_retried() -> None:
    async with replicas(2) as (r, addresses), replica_set(addresses) as rs:
        with pytest.raises(Boom):
            await rs.call(FAIL, b"", True, None)
        assert sum(r.calls.values()) == 1


async def test_retries_stop_at_max_attempts_without_deadline() -> None:
    dead = await dead_address()
    async with replica_set([dead]) as rs:
        start = time.monotonic()
        with pytest.raises(CommunicationError):
            await rs.call(WHO, b"", True, None)
        assert time.monotonic() - start < 5
        assert rs.replicas[dead].failures == backoff.MAX_ATTEMPTS


async def test_retries_are_bounded_by_the_deadline() -> None:
    dead = await dead_address()
    async with replica_set([dead]) as rs:
        callctx.deadline.set(time.monotonic() + 0.1)
        start = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await rs.call(WHO, b"", True, None)
        assert time.monotonic() - start < 0.5


async def test_empty_set_then_routing_info_arrives() -> None:
    async with replicas(1) as (_, addresses), replica_set([]) as rs:
        callctx.deadline.set(time.monotonic() + 2)
        call = asyncio.create_task(rs.call(WHO, b"", True, None))
        await asyncio.sleep(0.05)
        rs.update(addresses)
        assert await call == b"r0"


def test_backoff_delays() -> None:
    delays = backoff.delays()
    first = [next(delays) for _ in range(5)]
    for i, d in enumerate(first):
        nominal = backoff.INITIAL * backoff.FACTOR**i
        assert nominal * (1 - backoff.JITTER) <= d <= nominal


async def test_routed_call_falls_back_to_the_next_replica_when_the_owner_is_down() -> None:
    dead = await dead_address()
    async with replicas(2) as (_, addresses), replica_set([dead, *addresses]) as rs:
        # Find keys the dead replica owns; retriable calls for them land on a live replica.
        owned = [k for k in (shard_hash(i) for i in range(100)) if rs._ring.owner(k) == dead][:5]
        assert owned
        for shard in owned:
            first = await rs.call(WHO, b"", True, shard)
            assert first in (b"r0", b"r1")
            assert await rs.call(WHO, b"", True, shard) == first  # and stay there


async def test_calls_fail_fast_once_the_set_is_closed() -> None:
    async with replicas(1) as (_, addresses):
        rs = ReplicaSet(CLIENT, addresses)
        assert await rs.call(WHO, b"", True, None) == b"r0"
        await rs.close()
        start = time.monotonic()
        with pytest.raises(CommunicationError, match="closed"):
            await rs.call(WHO, b"", True, None)
        assert time.monotonic() - start < 0.05


async def test_closing_while_connecting_is_a_communication_error() -> None:
    async with replicas(1) as (_, addresses):
        rs = ReplicaSet(CLIENT, addresses)
        call = asyncio.create_task(rs.call(WHO, b"", True, None))
        await asyncio.sleep(0)  # the call is now waiting for the connection
        await rs.close()
        with pytest.raises(CommunicationError):
            await call
