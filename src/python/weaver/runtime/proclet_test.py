"""A proclet in this process, driven over a real socketpair by a scripted envelope."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from apps.hello.counter import Counter
from weaver.internal import registry
from weaver.runtime import messages as m
from weaver.runtime.pipe import Pipe
from weaver.runtime.proclet import Proclet
from weaver.testing.eventually import eventually

GREETER = "apps.hello.greeter.Greeter"
COUNTER = "apps.hello.counter.Counter"


@asynccontextmanager
async def proclet(components: list[str] | None) -> AsyncIterator[tuple[Proclet, Pipe[m.ToEnvelope], asyncio.Task[int]]]:
    """A proclet hosting `components` (None: send nothing after its registration)."""
    ours, theirs = socket.socketpair()
    p = Proclet("apps.hello", theirs, "hello", "v1", "test.0", standalone=False)
    task = asyncio.create_task(p.run())
    pipe: Pipe[m.ToEnvelope] = await Pipe.open(ours, m.ToEnvelope, "test envelope")
    try:
        async with asyncio.timeout(10):
            reg = await pipe.recv()
            assert isinstance(reg, m.RegisterReplica) and reg.app == "hello" and reg.version == "v1"
            if components is not None:
                pipe.send(m.HealthCheck(1))  # may come before the components: answered unhealthy
                pipe.send(m.ComponentsToHost("G", components))
                pipe.send(m.RoutingInfo({}))
                while not isinstance(msg := await pipe.recv(), m.ComponentsStarted):
                    assert msg is not None
                assert sorted(msg.components) == sorted(components)
        yield p, pipe, task
    finally:
        pipe.send(m.Stop(0.5))
        async with asyncio.timeout(10):
            await task
        pipe.close()


async def test_colocated_ref_is_the_local_stub_and_remote_ref_a_client_stub() -> None:
    async with proclet([GREETER, COUNTER]) as (p, _, _):
        assert p.host is not None
        greeter: Any = await p.host.impl(GREETER)
        reg = registry.get(COUNTER)
        local = reg.local_stub(await p.host.impl(COUNTER))
        assert type(greeter.counter) is type(local)  # a direct await, no codec
        assert await greeter.counter.add("x") == 1  # type: ignore[attr-defined]
    async with proclet([GREETER]) as (p, pipe, _):
        assert p.host is not None
        counter = (await p.host.impl(GREETER)).counter  # type: ignore[attr-defined]
        assert type(counter) is not type(local)  # a client stub over a ReplicaSet
        assert p.placement is not None and COUNTER in p.placement.sets
        pipe.send(m.RoutingInfo({COUNTER: ["tcp://127.0.0.1:1"]}))
        sets = p.placement.sets
        await eventually(lambda: list(sets[COUNTER].replicas) == ["tcp://127.0.0.1:1"], what="routing applied")


async def test_health_check_is_answered_and_logs_are_shipped() -> None:
    async with proclet([COUNTER]) as (p, pipe, _):
        pipe.send(m.HealthCheck(7))
        async with asyncio.timeout(5):
            while not isinstance(msg := await pipe.recv(), m.HealthReply):
                assert msg is not None
        assert msg.id == 7 and msg.healthy
        assert p.server.addresses and await _served(p, Counter)


async def _served(p: Proclet, iface: type) -> bool:
    reg = registry.find(iface)
    return all(s.key in p.server.handlers for s in reg.methods)


async def test_unknown_component_fails_start_clearly(caplog: pytest.LogCaptureFixture) -> None:
    async with proclet(None) as (_, pipe, task):
        pipe.send(m.ComponentsToHost("G", ["apps.hello.Nope"]))
        async with asyncio.timeout(10):
            assert await task == 2
    assert any("unknown component" in r.getMessage() and "apps.hello.Nope" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("junk", [struct.pack(">I", 1 << 30), struct.pack(">I", 3) + b"\xc1\xc1\xc1"])
async def test_bad_pipe_message_stops_the_proclet_with_a_clear_error(
    junk: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with proclet([COUNTER]) as (_, pipe, task):
        pipe.writer.write(junk)
        async with asyncio.timeout(10):
            assert await task == 2
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "exceeds the limit" in text or "bad message" in text, text


async def test_envelope_gone_stops_the_proclet() -> None:
    async with proclet([COUNTER]) as (_, pipe, task):
        pipe.close()
        async with asyncio.timeout(10):
            assert await task == 0
