"""One replica of a component as seen by its callers: an address and a lazy connection.

State moves idle -> connecting -> active, back to idle when the connection drops (the next
call reconnects), to draining when routing info no longer lists the replica (calls in flight
finish, no new ones start), then closed. A failed connect marks the replica unhealthy for a
short, growing while, so balancers skip it without waiting for a timeout on every call.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time

from weaver.errors import CommunicationError
from weaver.rpc import client
from weaver.rpc.protocol import Identity, log


class State(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    ACTIVE = "active"
    DRAINING = "draining"
    CLOSED = "closed"


class Replica:
    """A connection to one replica address, (re)opened on demand and shared by all calls."""

    def __init__(self, address: str, identity: Identity, connect_timeout: float = 5.0) -> None:
        self.address = address
        self.identity = identity
        self.connect_timeout = connect_timeout
        self.conn: client.Connection | None = None
        self.failures = 0
        self.unhealthy_until = 0.0
        self._connecting: asyncio.Task[client.Connection] | None = None
        self._draining: asyncio.Task[None] | None = None
        self._retired = False

    @property
    def state(self) -> State:
        if self._retired:
            return State.DRAINING if self._draining and not self._draining.done() else State.CLOSED
        if self.conn is not None and not self.conn.closed:
            return State.ACTIVE
        return State.CONNECTING if self._connecting is not None else State.IDLE

    def healthy(self, now: float) -> bool:
        return not self._retired and now >= self.unhealthy_until

    async def connection(self) -> client.Connection:
        """The open connection, connecting first if needed (one attempt shared by callers)."""
        conn = self.conn
        if conn is not None and not conn.closed:
            return conn
        if self._retired:
            raise CommunicationError(f"replica {self.address} was removed")
        task = self._connecting
        if task is None:
            self._connecting = task = asyncio.get_running_loop().create_task(self._connect())
            task.add_done_callback(_ignore_result)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            caller = asyncio.current_task()
            if task.cancelled() and (caller is None or not caller.cancelling()):
                # The connect was abandoned (the set closed), not this caller: a comm failure.
                raise CommunicationError(f"connecting to {self.address} was abandoned") from None
            raise

    async def _connect(self) -> client.Connection:
        try:
            conn = await client.connect(self.address, self.identity, self.connect_timeout)
        except CommunicationError:
            self.failures += 1
            pause = min(0.01 * 2 ** min(self.failures, 10), 1.0)
            self.unhealthy_until = time.monotonic() + pause
            raise
        finally:
            self._connecting = None
        self.failures = 0
        self.unhealthy_until = 0.0
        if self._retired:
            conn.close("replica removed while connecting", level=logging.DEBUG)
            raise CommunicationError(f"replica {self.address} was removed")
        self.conn = conn
        log.debug("rpc: connected to %s", self.address)
        return conn

    def mark_failed(self) -> None:
        """A call failed to communicate: skip this replica for a moment."""
        self.unhealthy_until = max(self.unhealthy_until, time.monotonic() + 0.01)

    def retire(self) -> None:
        """No new calls; close once the calls in flight are done."""
        if self._retired:
            return
        self._retired = True
        conn = self.conn
        if conn is not None and not conn.closed:
            self._draining = asyncio.get_running_loop().create_task(conn.drain())

    async def close(self) -> None:
        """Close now, failing calls in flight with CommunicationError."""
        self._retired = True
        if self._connecting is not None:
            self._connecting.cancel()
        if self.conn is not None:
            self.conn.close("replica set closed", level=logging.DEBUG)
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)


def _ignore_result(task: asyncio.Task[client.Connection]) -> None:
    if not task.cancelled():
        task.exception()  # mark retrieved: nobody is waiting for it any more
