"""Fuzz target: HTTP/1.1 request parsing of the version-pinning proxy, through raw bytes on a socket.

The requests of the server's target (`weaver.internal.conftest.http_streams`) go to a proxy in
front of weaver's server, followed by EOF. The properties are the server's: every connection
closes, what came back parses as complete responses, each 200 from the app or a refusal, no
ERROR log, and a normal request is still answered 200 afterwards. fuzz_test.py's seeded random
mutations of four requests stay; this one generates framing and smuggling-prone heads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from weaver import httpserver
from weaver.internal.conftest import Target, check_exchange, echo_app, http_streams, listening_socket, served_in_thread
from weaver.proxy.limits import Limits
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table, Version

# The server's refusals, and 405 (CONNECT) and 417 (an Expect other than 100-continue).
REFUSED = frozenset({400, 404, 405, 413, 414, 417, 431, 501, 505})


@contextlib.asynccontextmanager
async def _proxy() -> AsyncIterator[tuple[str, int]]:
    async with listening_socket() as sock:
        task = asyncio.create_task(httpserver.serve(echo_app, sock, httpserver.Limits(), grace=0.2))
        host, port = sock.getsockname()[:2]
        proxy = Proxy(Table({"v1": Version(1, [f"{host}:{port}"])}), Limits(idle_timeout=1.0, linger=0.2))
        try:
            yield await proxy.listen("127.0.0.1", 0)
        finally:
            await proxy.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """A synchronous target (its proxy runs on a loop thread): not run once per event loop."""
    return asyncio.DefaultEventLoopPolicy()


@pytest.fixture(scope="module")
def proxy() -> Iterator[Target]:
    with served_in_thread(_proxy) as target:
        yield target


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=http_streams())
def test_fuzz_proxy_request_parsing(proxy: Target, data: bytes) -> None:
    check_exchange(proxy, data, REFUSED)
