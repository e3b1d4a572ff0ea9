from __future__ import annotations

import pytest

import weaver
from weaver.rpc.conftest import client_of, serving


async def whoami(payload: bytes) -> bytes:
    return repr(sorted(weaver.current_metadata().items())).encode()


def test_blocks_nest_and_restore() -> None:
    assert dict(weaver.current_metadata()) == {}
    with weaver.metadata(tenant="acme", user="ann"):
        with weaver.metadata(user="bob"):
            assert dict(weaver.current_metadata()) == {"tenant": "acme", "user": "bob"}
        assert dict(weaver.current_metadata()) == {"tenant": "acme", "user": "ann"}
    assert dict(weaver.current_metadata()) == {}


def test_values_must_be_strings() -> None:
    with pytest.raises(TypeError, match=r"weaver.metadata\(n=...\): values must be str, not int"):
        with weaver.metadata(n=3):  # type: ignore[arg-type]
            pass


async def test_metadata_reaches_a_remote_callee() -> None:
    async with serving({1: whoami}) as (_, address):
        async with client_of(address) as conn:
            assert await conn.call(1, b"") == b"[]"
            with weaver.metadata(tenant="acme"):
                assert await conn.call(1, b"") == repr([("tenant", "acme")]).encode()
            assert await conn.call(1, b"") == b"[]"
