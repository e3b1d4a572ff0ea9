"""Fuzz target: HTTP/1.1 request parsing of weaver's server, through raw bytes on a socket.

Generated requests (`weaver.internal.conftest.http_streams`: almost valid heads, smuggling-prone
framing headers, chunked bodies, mutations, pipelining, noise) are sent to a running server
followed by EOF. Every connection closes; whatever came back parses as complete responses, each
200 from the app or one of the refusals docs/hostile-input.md lists; nothing is logged at ERROR;
and a normal request on a new connection is still answered 200.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from weaver import httpserver
from weaver.internal.conftest import Target, check_exchange, echo_app, http_streams, listening_socket, served_in_thread

REFUSED = frozenset({400, 404, 413, 414, 431, 501, 505})


@contextlib.asynccontextmanager
async def _server() -> AsyncIterator[tuple[str, int]]:
    async with listening_socket() as sock:
        limits = httpserver.Limits(idle_timeout=1.0, linger=0.2, max_body_bytes=1 << 16)
        task = asyncio.create_task(httpserver.serve(echo_app, sock, limits, grace=0.2))
        try:
            host, port = sock.getsockname()[:2]
            yield host, port
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture(scope="module")
def server() -> Iterator[Target]:
    with served_in_thread(_server) as target:
        yield target


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=http_streams())
def test_fuzz_server_request_parsing(server: Target, data: bytes) -> None:
    check_exchange(server, data, REFUSED)
