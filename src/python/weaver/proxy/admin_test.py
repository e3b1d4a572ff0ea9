"""The admin endpoint: a controller in another process reads and replaces the table, reads stats."""

from __future__ import annotations

import msgspec

from weaver.proxy.conftest import Stack
from weaver.proxy.stats import Snapshot
from weaver.proxy.table import Table, Version, encode_table


async def test_admin_table_and_stats(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    host, port = await proxy.listen_admin()
    admin = await stack.client(f"{host}:{port}")
    user = await stack.client(addr)
    assert (await user.request("GET", "/")).header("weaver-version") == "v1"

    r = await admin.request("GET", "/table")
    assert r.status == 200 and msgspec.json.decode(r.body, type=Table) == proxy.table
    new = Table({"v1": Version(0, [a.address], draining=True), "v2": Version(1, [b.address])})
    r = await admin.request("PUT", "/table", body=encode_table(new))
    assert r.status == 200 and proxy.table == new
    assert (await user.request("GET", "/")).header("weaver-version") == "v2"  # same connection

    for bad in (
        b"{",
        b'{"versions": {"v 1": {}}}',
        b'{"versions": {"v": {"weight": -1}}}',
        b'{"versions": {"v": {"backends": ["nohost"]}}}',
        b'{"nope": 1}',
    ):
        r = await admin.request("PUT", "/table", body=bad)
        assert r.status == 400 and b"error" in r.body
    assert proxy.table == new  # a bad table changes nothing

    r = await admin.request("GET", "/stats")
    snap = msgspec.json.decode(r.body, type=Snapshot)
    assert snap.versions["v1"].requests == 1 and snap.versions["v2"].requests == 1
    assert snap.versions["v2"].status_2xx == 1 and snap.versions["v2"].p50_us > 0
    assert (await admin.request("GET", "/healthz")).status == 200
    assert (await admin.request("GET", "/nope")).status == 404
    assert (await admin.request("POST", "/stats")).status == 405
