"""End to end: weighted assignment, pins, re-pins, draining, table changes, round robin."""

from __future__ import annotations

import asyncio

from weaver.proxy.conftest import Stack
from weaver.proxy.table import Table, Version
from weaver.testing.eventually import eventually


async def test_weighted_assignment_and_version_headers(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    _, addr = await stack.proxy({"v1": Version(3, [a.address]), "v2": Version(1, [b.address])})
    c = await stack.client(addr)
    counts = {"v1": 0, "v2": 0}
    for _ in range(400):
        r = await c.request("GET", "/")
        v = r.header("weaver-version")
        assert r.status == 200 and v in counts
        assert r.header("x-seen-version") == v  # the backend saw the same version
        assert r.header("x-backend") == {"v1": "a", "v2": "b"}[v]
        assert r.header("set-cookie") == f"weaver-version={v}; Path=/; HttpOnly; SameSite=Lax"
        counts[v] += 1
    assert 240 <= counts["v1"] <= 360  # expected 300; sd ~8.7


async def test_cookie_and_header_pins(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    _, addr = await stack.proxy({"v1": Version(1, [a.address]), "v2": Version(1, [b.address])})
    c = await stack.client(addr)
    for _ in range(20):
        r = await c.request("GET", "/", {"Cookie": "x=1; weaver-version=v2"})
        assert r.header("weaver-version") == "v2" and r.header("x-backend") == "b"
        assert r.header("set-cookie") is None  # already pinned there
        r = await c.request("GET", "/", {"Weaver-Version": "v1", "Cookie": "weaver-version=v2"})
        assert r.header("weaver-version") == "v1" and r.header("x-backend") == "a"  # header wins


async def test_pin_to_weight_zero_and_draining_version_is_honoured(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    proxy, addr = await stack.proxy({"old": Version(0, [a.address]), "new": Version(1, [b.address])})
    c = await stack.client(addr)
    for _ in range(10):
        assert (await c.request("GET", "/")).header("weaver-version") == "new"
        r = await c.request("GET", "/", {"Weaver-Version": "old"})
        assert r.header("weaver-version") == "old" and r.header("x-backend") == "a"
    proxy.set_table(Table({"old": Version(1, [a.address]), "new": Version(1, [b.address])}))
    proxy.drain("old")
    for _ in range(10):
        assert (await c.request("GET", "/")).header("weaver-version") == "new"
        assert (await c.request("GET", "/", {"Weaver-Version": "old"})).header("x-backend") == "a"
    assert proxy.snapshot().versions["old"].pinned == 20


async def test_pin_to_stopped_version_repins_visibly(stack: Stack) -> None:
    b = await stack.backend("b")
    proxy, addr = await stack.proxy({"new": Version(1, [b.address])})
    c = await stack.client(addr)
    for pin in ("gone", "bad value!"):
        r = await c.request("GET", "/", {"Cookie": f"weaver-version={pin}"})
        assert r.status == 200 and r.header("weaver-version") == "new"
        assert r.header("weaver-repinned-from") == ("gone" if pin == "gone" else "invalid")
        assert r.header("set-cookie") is not None
    assert proxy.snapshot().versions["new"].repinned == 2


async def test_draining_reports_in_flight_until_done(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    proxy, addr = await stack.proxy({"old": Version(1, [a.address]), "new": Version(1, [b.address])})
    c = await stack.client(addr)
    slow = asyncio.create_task(c.request("GET", "/slow?ms=300", {"Weaver-Version": "old"}))
    await eventually(lambda: proxy.in_flight("old"), what="the slow request in flight")
    proxy.drain("old")
    assert proxy.in_flight("old") == 1 and proxy.snapshot().versions["old"].in_flight == 1
    c2 = await stack.client(addr)
    for _ in range(20):
        assert (await c2.request("GET", "/")).header("weaver-version") == "new"
    assert (await slow).header("weaver-version") == "old"
    assert proxy.in_flight("old") == 0


async def test_table_change_keeps_keepalive_connection(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    assert (await c.request("GET", "/")).header("weaver-version") == "v1"
    slow = asyncio.create_task(c.request("GET", "/slow?ms=200"))
    await eventually(lambda: proxy.in_flight("v1") == 1, what="the slow request in flight")
    proxy.set_table(Table({"v2": Version(1, [b.address])}))  # v1 stops serving mid-request
    assert (await slow).header("weaver-version") == "v1"  # in flight: finished where it started
    r = await c.request("GET", "/", {"Cookie": "weaver-version=v1"})  # same connection
    assert r.header("weaver-version") == "v2" and r.header("weaver-repinned-from") == "v1"
    assert len(proxy.clients) == 1


async def test_round_robin_over_backends_of_one_version(stack: Stack) -> None:
    bs = [await stack.backend(n) for n in ("a", "b", "c")]
    _, addr = await stack.proxy({"v1": Version(1, [b.address for b in bs])})
    c = await stack.client(addr)
    seen = [str((await c.request("GET", "/")).header("x-backend")) for _ in range(9)]
    assert sorted(seen) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
