"""The `Caller` a client stub uses: balancing and retries over the replicas of a component.

Unrouted calls go round robin over the healthy replicas; routed calls (`shard` set) go to the
replica that owns the shard on a consistent-hash ring, or the next one on the ring while it is
unhealthy. Retriable calls are retried on communication failures only (never on application
errors), with exponential backoff and jitter, bounded by the deadline or, without one, by
`backoff.MAX_ATTEMPTS`. The replica list is replaced at run time with `update`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from weaver.errors import CommunicationError, DeadlineExceeded
from weaver.internal import callctx
from weaver.rpc import backoff
from weaver.rpc.hashring import HashRing
from weaver.rpc.protocol import Identity
from weaver.rpc.replica import Replica, State


class ReplicaSet:
    """Calls some replica of one component; a `weaver.internal.caller.Caller`."""

    def __init__(
        self,
        identity: Identity,
        addresses: Iterable[str] = (),
        name: str = "",
        connect_timeout: float = 5.0,
    ) -> None:
        self.identity = identity
        self.name = name or "component"
        self.connect_timeout = connect_timeout
        self.closed = False
        self.replicas: dict[str, Replica] = {}
        self._order: list[Replica] = []
        self._ring = HashRing(())
        self._rr = 0
        self._retired: list[Replica] = []
        self.update(addresses)

    def update(self, addresses: Iterable[str]) -> None:
        """Replace the replica list (routing info); removed replicas drain and close."""
        wanted = list(dict.fromkeys(addresses))
        for address in list(self.replicas):
            if address not in wanted:
                replica = self.replicas.pop(address)
                replica.retire()
                self._retired.append(replica)
        for address in wanted:
            if address not in self.replicas:
                self.replicas[address] = Replica(address, self.identity, self.connect_timeout)
        self._order = [self.replicas[a] for a in wanted]
        self._ring = HashRing(wanted)
        self._retired = [r for r in self._retired if r.state is State.DRAINING]

    def states(self) -> dict[str, State]:
        return {a: r.state for a, r in self.replicas.items()}

    async def close(self) -> None:
        """Close every connection; calls in flight fail with CommunicationError."""
        self.closed = True
        replicas = list(self.replicas.values()) + self._retired
        self.replicas.clear()
        self._order = []
        self._ring = HashRing(())
        await asyncio.gather(*(r.close() for r in replicas))

    async def call(self, key: int, payload: bytes, retriable: bool = True, shard: int | None = None) -> bytes:
        """Call `key` on a replica; the common case (an open, healthy connection) inline."""
        if shard is None:
            order = self._order
            n = len(order)
            if n:
                self._rr = i = (self._rr + 1) % n
                replica: Replica | None = order[i]
            else:
                replica = None
        else:
            ring = self._ring
            replica = self.replicas[ring.owner(shard)] if len(ring) else None
        if replica is not None:
            conn = replica.conn
            if conn is not None and not conn.closed and replica.unhealthy_until == 0.0:
                try:
                    return await conn.call(key, payload, retriable, shard)
                except DeadlineExceeded:
                    raise
                except CommunicationError:
                    replica.mark_failed()
                    if not retriable:
                        raise
                    return await self._call(key, payload, retriable, shard, None, [replica])
        return await self._call(key, payload, retriable, shard, replica, [])

    async def _call(
        self,
        key: int,
        payload: bytes,
        retriable: bool,
        shard: int | None,
        replica: Replica | None,
        failed: list[Replica],
    ) -> bytes:
        """The slow path: connect if needed, retry if allowed.

        `replica` is a first choice; `failed` holds the replicas that already failed this
        call (tried last, if at all).
        """
        delays = backoff.delays()
        attempt = len(failed)
        while True:
            if self.closed:
                raise CommunicationError(f"the replica set of {self.name} is closed")
            if attempt:
                await self._pause(next(delays), attempt)
            attempt += 1
            if replica is None or not replica.healthy(time.monotonic()):
                replica = self._pick(shard, failed)
            try:
                if replica is None:
                    raise CommunicationError(f"no replicas of {self.name}")
                conn = await replica.connection()
                result = await conn.call(key, payload, retriable, shard)
                replica.unhealthy_until = 0.0
                return result
            except DeadlineExceeded:
                raise
            except CommunicationError:
                if replica is not None:
                    replica.mark_failed()
                    failed.append(replica)
                    replica = None
                if not retriable:
                    raise
                if callctx.deadline.get() is None and attempt >= backoff.MAX_ATTEMPTS:
                    raise

    async def _pause(self, delay: float, attempt: int) -> None:
        deadline = callctx.deadline.get()
        if deadline is not None and time.monotonic() + delay >= deadline:
            raise DeadlineExceeded(f"deadline passed retrying a call to {self.name} (attempt {attempt})")
        await asyncio.sleep(delay)

    def _pick(self, shard: int | None, failed: list[Replica]) -> Replica | None:
        """A healthy replica that has not failed this call, or failing that, any replica."""
        now = time.monotonic()
        if shard is not None:
            fallback = None
            for address in self._ring.successors(shard):
                replica = self.replicas[address]
                if replica.healthy(now) and replica not in failed:
                    return replica
                fallback = fallback or replica
            return fallback
        order = self._order
        n = len(order)
        for _ in range(n):
            self._rr = i = (self._rr + 1) % n
            if order[i].healthy(now) and order[i] not in failed:
                return order[i]
        return order[self._rr] if n else None
