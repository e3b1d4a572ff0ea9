"""Errors keep their meaning across the wire."""

from __future__ import annotations

import asyncio

import pytest

from weaver.errors import AppError, CommunicationError, RemoteCallError
from weaver.rpc.conftest import client_of, serving
from weaver.testing.eventually import eventually


class OutOfStock(AppError):
    pass


async def app_error(payload: bytes) -> bytes:
    raise OutOfStock("socks", 3)


async def bug(payload: bytes) -> bytes:
    await asyncio.sleep(0)
    raise ZeroDivisionError("oops")


async def not_bytes(payload: bytes) -> bytes:
    return "text"  # type: ignore[return-value]


HANGING: list[bytes] = []
"""Payloads of `hang` calls that have started."""


async def hang(payload: bytes) -> bytes:
    HANGING.append(payload)
    await asyncio.sleep(100)
    return b""


async def test_app_error_keeps_its_type_and_args() -> None:
    async with serving({1: app_error}) as (_, address):
        async with client_of(address) as conn:
            with pytest.raises(OutOfStock) as info:
                await conn.call(1, b"")
            assert info.value.args == ("socks", 3)


async def test_other_errors_arrive_as_remote_call_error() -> None:
    async with serving({1: bug, 2: not_bytes}, names={1: "pkg.C.bug"}) as (_, address):
        async with client_of(address) as conn:
            with pytest.raises(RemoteCallError) as info:
                await conn.call(1, b"")
            assert info.value.type_name == "ZeroDivisionError"
            assert info.value.where == "pkg.C.bug@r1"
            with pytest.raises(RemoteCallError, match="TypeError"):
                await conn.call(2, b"")


async def test_unknown_method_key_is_an_error_reply_naming_it() -> None:
    async with serving({}) as (_, address):
        async with client_of(address) as conn:
            with pytest.raises(RemoteCallError, match="0xdead"):
                await conn.call(0xDEAD, b"")
            await conn.ping()  # the connection stays up


async def test_connection_death_is_a_communication_error() -> None:
    async with serving({1: hang}) as (server, address):
        async with client_of(address) as conn:
            HANGING.clear()
            call = asyncio.create_task(conn.call(1, b""))
            await eventually(lambda: HANGING, timeout=5, what="the call to reach its handler")
            for sconn in list(server.connections):
                sconn.abort()
            with pytest.raises(CommunicationError) as info:
                await call
            assert not isinstance(info.value, RemoteCallError)
            with pytest.raises(CommunicationError):
                await conn.call(1, b"")
