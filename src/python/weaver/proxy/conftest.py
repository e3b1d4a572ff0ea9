"""Fixtures: everything a test starts (backends, proxies, clients) is stopped after it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
import uvloop

from weaver.proxy.limits import Limits
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table, Version
from weaver_bench.proxy.fakebackend import FakeBackend
from weaver_bench.proxy.rawclient import RawClient


class Stack:
    """Backends, a proxy and clients on 127.0.0.1, closed together."""

    def __init__(self) -> None:
        self.backends: list[FakeBackend] = []
        self.proxies: list[Proxy] = []
        self.clients: list[RawClient] = []

    async def backend(self, name: str) -> FakeBackend:
        b = FakeBackend(name)
        await b.start()
        self.backends.append(b)
        return b

    async def proxy(self, versions: dict[str, Version], limits: Limits | None = None) -> tuple[Proxy, str]:
        p = Proxy(Table(versions), limits, rng=random.Random(7))
        host, port = await p.listen()
        self.proxies.append(p)
        return p, f"{host}:{port}"

    async def client(self, address: str) -> RawClient:
        c = await RawClient.connect(address)
        self.clients.append(c)
        return c

    async def close(self) -> None:
        for c in self.clients:
            await c.close()
        for p in self.proxies:
            await p.close()
        for b in self.backends:
            await b.close()


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    s = Stack()
    try:
        yield s
    finally:
        await s.close()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-asyncio >= 1.1 prefers a loop-factories hook that 0.24 (our lockfile's) lacks.
    config.addinivalue_line("filterwarnings", 'ignore:Overriding the "event_loop_policy" fixture')


@pytest.fixture(scope="session", params=["asyncio", "uvloop"])
def event_loop_policy(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoopPolicy:
    """Every test runs on the standard loop and on uvloop (which the command uses)."""
    if request.param == "uvloop":
        policy: asyncio.AbstractEventLoopPolicy = uvloop.EventLoopPolicy()
        return policy
    return asyncio.DefaultEventLoopPolicy()
