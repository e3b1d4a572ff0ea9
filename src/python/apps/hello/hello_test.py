"""hello's behaviour, in every deployment mode."""

from __future__ import annotations

import asyncio
import json

import pytest

import weaver
import weaver.testing
from apps.hello.counter import Counter
from apps.hello.greeter import EmptyName, Greeter
from apps.hello.messages import Hop
from weaver.config import ConfigError

MODES = weaver.testing.MODES


@pytest.mark.parametrize("mode", weaver.testing.ALL_MODES)  # multi: routed calls keep counts on one replica
async def test_greet_counts_per_name(mode: str) -> None:
    async with weaver.testing.start("apps.hello", mode=mode) as app:
        greeter = app.get(Greeter)
        assert (await greeter.greet("Ada")).count == 1
        assert (await greeter.greet("Ada")).count == 2
        got = await greeter.greet("Bob")
        assert (got.text, got.count) == ("Hello, Bob!", 1)
        assert await app.get(Counter).get("Ada") == 2


@pytest.mark.parametrize("mode", MODES)
async def test_hops_report_versions(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAVER_VERSION", "v-test")
    async with weaver.testing.start("apps.hello", mode=mode) as app:
        got = await app.get(Greeter).greet("Ada")
        assert [(h.component, h.version) for h in got.hops] == [("Greeter", "v-test"), ("Counter", "v-test")]


@pytest.mark.parametrize("mode", MODES)
async def test_config_section_is_used(mode: str) -> None:
    config = '[apps.hello.greeter.Greeter]\ngreeting = "Hi"\npunctuation = "."\n'
    async with weaver.testing.start("apps.hello", mode=mode, config=config) as app:
        assert await app.get(Greeter).preview("Ada") == "Hi, Ada."


@pytest.mark.parametrize("mode", MODES)
async def test_app_error_keeps_its_type(mode: str) -> None:
    async with weaver.testing.start("apps.hello", mode=mode) as app:
        with pytest.raises(EmptyName, match="must not be empty"):
            await app.get(Greeter).greet("")


async def test_bad_config_names_key_and_section() -> None:
    with pytest.raises(ConfigError, match=r"\[apps.hello.greeter.Greeter\]: key 'greeting': Expected `str`"):
        async with weaver.testing.start("apps.hello", config={"apps.hello.greeter.Greeter": {"greeting": 3}}):
            pass
    with pytest.raises(ConfigError, match=r"\[apps.hello.greeter.Greeter\]: unknown key 'greting'"):
        async with weaver.testing.start("apps.hello", config='[apps.hello.greeter.Greeter]\ngreting = "x"\n'):
            pass


class FakeCounter:
    """Counts nothing; always says 41."""

    async def add(self, key: str, delta: int = 1) -> int:
        return 41

    async def get(self, key: str) -> int:
        return 41

    async def hop(self) -> Hop:
        return Hop("FakeCounter", "fake", "0")


@pytest.mark.parametrize("mode", MODES)
async def test_fake_replaces_component(mode: str) -> None:
    async with weaver.testing.start("apps.hello", mode=mode, fakes={Counter: FakeCounter()}) as app:
        got = await app.get(Greeter).greet("Ada")
        assert got.count == 41
        assert got.hops[-1].component == "FakeCounter"


async def _http_get(address: str, path: str) -> tuple[int, bytes]:
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("mode", weaver.testing.ALL_MODES)
async def test_http_frontend(mode: str) -> None:
    async with weaver.testing.start("apps.hello", mode=mode) as app:
        await app.start_main()
        address = app.listener("hello").address
        status, body = await _http_get(address, "/hello?name=Ada")
        assert status == 200
        reply = json.loads(body)
        assert reply["text"] == "Hello, Ada!" and reply["count"] == 1
        assert [h["component"] for h in reply["hops"]] == ["Main", "Greeter", "Counter"]
        assert (await _http_get(address, "/hello?name="))[0] == 400
        assert (await _http_get(address, "/nope"))[0] == 404
        assert await _http_get(address, "/healthz") == (200, b"ok")


async def test_deadline_bounds_a_call() -> None:
    async with weaver.testing.start("apps.hello") as app:
        counter = app.get(Counter)
        async with weaver.deadline(1):
            assert await counter.get("x") == 0
        with pytest.raises(weaver.DeadlineExceeded):
            async with weaver.deadline(0.01):
                await asyncio.sleep(1)
