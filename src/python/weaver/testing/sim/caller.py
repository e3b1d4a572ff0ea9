"""The simulated transport: a `Caller` that delivers calls through the generated codecs.

Each attempt pays a small seeded network latency, may draw a fault, checks the caller's
(virtual) deadline before the callee runs, runs the handler as its own task (the caller's
context, so deadline and metadata propagate) and waits for it no longer than the deadline,
as a real caller would. Retriable methods are retried on `CommunicationError` with the
runtime's backoff (`weaver.rpc.backoff`), bounded by the deadline or `MAX_ATTEMPTS`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from weaver.errors import CommunicationError, DeadlineExceeded, decode_error, encode_error
from weaver.internal import callctx
from weaver.rpc import backoff
from weaver.testing.sim.history import current_op

if TYPE_CHECKING:
    from weaver.testing.sim.world import World

LATENCY = 0.001
"""Upper bound of the virtual network latency of one attempt (seconds)."""


class SimCaller:
    """Delivers calls to component `component` of a simulated world."""

    def __init__(self, world: World, component: str) -> None:
        self.world = world
        self.component = component
        reg = world.registrations[component]
        short = component.rsplit(".", 1)[-1]
        self.names = {m.key: f"{short}.{m.name}" for m in reg.methods}

    async def call(self, key: int, payload: bytes, retriable: bool, shard: int | None) -> bytes:
        delays = backoff.delays(self.world.net_rng)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(key, bytes(payload), attempt)
            except DeadlineExceeded:
                raise
            except CommunicationError:
                deadline = callctx.deadline.get()
                if not retriable or (deadline is None and attempt >= backoff.MAX_ATTEMPTS):
                    raise
                delay = next(delays)
                if deadline is not None and self.world.now() + delay >= deadline:
                    raise DeadlineExceeded(f"deadline passed retrying {self.names[key]}") from None
                self.world.record(f"retry {self.names[key]} in {delay:.6f}s")
                await asyncio.sleep(delay)

    async def _attempt(self, key: int, payload: bytes, attempt: int) -> bytes:
        world, name = self.world, self.names[key]
        self._check_deadline(name)
        await asyncio.sleep(world.net_rng.uniform(0.0, LATENCY))
        fault = world.injector.draw(self.component, current_op.get())
        where = f"{name}@sim"
        if fault is not None:
            extra = f" ({fault.delay:.6f}s)" if fault.delay else ""
            world.record(f"fault {fault.label} {fault.kind} on {name}{extra}")
            if fault.kind == "fail_before":
                raise CommunicationError(f"simulated: {name} not delivered")
            if fault.kind == "crash":
                await world.restart(self.component)
                raise CommunicationError(f"simulated: replica of {self.component} crashed")
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay)
        self._check_deadline(name)
        world.record(f"call {name}" + (f" (attempt {attempt})" if attempt > 1 else ""))
        task = await world.deliver(self.component, key, payload, where)
        deadline = callctx.deadline.get()
        timeout = None if deadline is None else max(0.0, deadline - world.now())
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            world.record(f"deadline hit waiting for {name}")
            raise DeadlineExceeded(f"deadline passed waiting for {name}")
        if task.cancelled():
            raise CommunicationError(f"simulated: replica of {self.component} crashed during {name}")
        ok, reply = task.result()
        if fault is not None and fault.kind == "fail_after":
            world.record(f"reply of {name} lost")
            raise CommunicationError(f"simulated: reply of {name} lost")
        if not ok:
            raise decode_error(reply)
        return reply

    def _check_deadline(self, name: str) -> None:
        deadline = callctx.deadline.get()
        if deadline is not None and self.world.now() >= deadline:
            self.world.record(f"deadline passed before {name}")
            raise DeadlineExceeded(f"deadline passed before calling {name}")


async def run_handler(handler: object, payload: bytes, where: str) -> tuple[bool, bytes]:
    """Run one handler; an exception becomes its encoded error reply, as on the wire."""
    try:
        return True, bytes(await handler(payload))  # type: ignore[operator]
    except Exception as e:  # noqa: BLE001 - every error crosses the "wire"
        return False, encode_error(e, where)
