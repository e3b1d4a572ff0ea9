"""weaver.testing with the test app: both modes, errors, retries exposed, lifecycle, fakes."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any, cast

import pytest

import weaver
import weaver.testing
from weaver.testing.testapp.audit import Audit
from weaver.testing.testapp.model import EVENTS, Color, Item, Stamp
from weaver.testing.testapp.store import Missing, Store

weaver.testing.ensure_generated("weaver.testing.testapp")
APP = "weaver.testing.testapp"


@pytest.fixture(autouse=True)
def clear_events() -> None:
    EVENTS.clear()


@pytest.mark.parametrize("mode", weaver.testing.MODES)
async def test_values_roundtrip(mode: str) -> None:
    async with weaver.testing.start(APP, mode=mode) as app:
        store = app.get(Store)
        item = Item("hat", Color.BLUE, frozenset({"warm"}))
        stamp = await store.put("h", item, note="first")
        assert stamp == Stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), "first")
        assert await store.get("h") == item
        assert await store.get("nope") is None
        assert await store.all() == [item]
        assert await store.require("h") == item
        assert await app.get(Audit).log() == ["put h"]


async def test_rpc_mode_goes_through_the_codec() -> None:
    async with weaver.testing.start(APP, mode="rpc") as app:
        store = app.get(Store)
        assert type(store).__name__ == "_Store_client_metered"  # metrics are on by default
        item = Item("hat", Color.RED)
        await store.put("h", item)
        got = await store.get("h")
        assert got == item and got is not app.impl(Store).items["h"]  # a decoded copy


async def test_local_mode_is_a_direct_call() -> None:
    async with weaver.testing.start(APP, mode="local", config="[weaver.metrics]\nenabled = false\n") as app:
        store: Any = app.get(Store)
        impl = app.impl(Store)
        assert store.get.__self__ is impl and store.get.__func__ is type(impl).get


async def test_local_mode_with_metrics_hands_out_the_implementations_own_coroutine() -> None:
    async with weaver.testing.start(APP, mode="local") as app:
        store: Any = app.get(Store)
        assert type(store).__name__ == "_Store_local_metered" and store._wimpl is app.impl(Store)
        coro = store.get("nope")  # no wrapper coroutine on the unsampled path
        assert coro.cr_code is type(app.impl(Store)).get.__code__
        assert await coro is None


@pytest.mark.parametrize("mode", weaver.testing.MODES)
async def test_errors(mode: str) -> None:
    async with weaver.testing.start(APP, mode=mode) as app:
        store = app.get(Store)
        with pytest.raises(Missing, match="asked to fail"):
            await store.fail("app")
        if mode == "local":
            with pytest.raises(ValueError):
                await store.fail("other")
        else:
            with pytest.raises(weaver.RemoteCallError) as info:
                await store.fail("plain")
            assert info.value.type_name == "weaver.testing.testapp.model.NotFound"
            assert info.value.message == "plain failure"
            assert info.value.where == "weaver.testing.testapp.store.Store.fail@inprocess"


async def test_rpc_mode_runs_retriable_methods_twice() -> None:
    async with weaver.testing.start(APP, mode="rpc") as app:
        store = app.get(Store)
        assert await store.bump() == 1  # not retriable: once
        assert await store.bump_retriable() == 3  # retriable: executed twice, exposing the side effect
    async with weaver.testing.start(APP, mode="local") as app:
        store = app.get(Store)
        assert await store.bump() == 1
        assert await store.bump_retriable() == 2


@pytest.mark.parametrize("mode", weaver.testing.MODES)
async def test_deadline(mode: str) -> None:
    async with weaver.testing.start(APP, mode=mode) as app:
        store = app.get(Store)
        with pytest.raises(weaver.DeadlineExceeded):
            async with weaver.deadline(0.02):
                await store.sleep(5)
        async with weaver.deadline(5):
            await store.sleep(0)


@pytest.mark.parametrize("mode", weaver.testing.MODES)
async def test_lifecycle_order_with_a_ref_cycle(mode: str) -> None:
    async with weaver.testing.start(APP, mode=mode) as app:
        await app.start_main()
    if mode == "local":  # Audit is created first and needs Store, which is initialised first
        assert EVENTS == ["init Store", "init Audit", "init Main", "shutdown Main", "shutdown Audit", "shutdown Store"]
    else:
        assert EVENTS[-3:] == ["shutdown Main", "shutdown Store", "shutdown Audit"] or EVENTS[-3:] == [
            "shutdown Main",
            "shutdown Audit",
            "shutdown Store",
        ]
        assert EVENTS[0].startswith("init") and len(EVENTS) == 6


class FakeAudit:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def record(self, event: str) -> None:
        self.seen.append(event)

    async def log(self) -> list[str]:
        return self.seen


@pytest.mark.parametrize("mode", weaver.testing.MODES)
async def test_fakes_and_config(mode: str) -> None:
    fake = FakeAudit()
    config = {"weaver": {"testing": {"testapp": {"store": {"Store": {"capacity": 1}}}}}}
    async with weaver.testing.start(APP, mode=mode, fakes={Audit: fake}, config=config) as app:
        store = app.get(Store)
        assert app.get(Audit) is cast(Any, fake)
        await store.put("a", Item("a", Color.RED))
        with pytest.raises(Missing, match="full at 1"):
            await store.put("b", Item("b", Color.RED))
        assert fake.seen == ["put a"]


async def test_listener_serves_main() -> None:
    async with weaver.testing.start(APP) as app:
        await app.start_main()
        reader, writer = await asyncio.open_connection(app.listener("api").host, app.listener("api").port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"\r\n\r\n1\r\n0\r\n0\r\n\r\n")


async def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown mode 'cluster'"):  # "multi" is a mode now
        async with weaver.testing.start(APP, mode="cluster"):
            pass
