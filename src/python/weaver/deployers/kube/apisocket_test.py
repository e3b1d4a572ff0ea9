"""The relay pair carries a connection both ways: pod port -> node socket -> a TCP server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from weaver.deployers.kube import apisocket


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    data = await reader.read()  # until the client's EOF, which the relays pass on
    writer.write(data.upper())
    writer.write_eof()
    await writer.drain()
    writer.close()


async def test_bytes_and_eof_cross_both_relays(tmp_path: Path) -> None:
    target = await asyncio.start_server(_echo, "127.0.0.1", 0)
    port = target.sockets[0].getsockname()[1]
    socket_path = str(tmp_path / "api.sock")
    node = await apisocket.node_relay(socket_path, "127.0.0.1", port)
    pod = await apisocket.pod_relay(socket_path, ("127.0.0.1", 0))
    pod_port = pod.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", pod_port)
        writer.write(b"get /api/v1/pods" * 10_000)
        writer.write_eof()
        reply = await asyncio.wait_for(reader.read(), 10)
        assert reply == b"GET /API/V1/PODS" * 10_000
        writer.close()
        assert Path(socket_path).stat().st_mode & 0o777 == 0o666
    finally:
        for server in (pod, node, target):
            server.close()


async def test_an_unreachable_api_server_closes_the_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    socket_path = str(tmp_path / "api.sock")
    node = await apisocket.node_relay(socket_path, "127.0.0.1", 1)  # nothing listens on port 1
    try:
        reader, writer = await asyncio.open_unix_connection(socket_path)
        assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
        assert "cannot reach the API server" in capsys.readouterr().err
    finally:
        node.close()


def test_bad_arguments_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert apisocket.main(["only-one"]) == 2
    assert apisocket.main(["/s.sock", "host:port"]) == 2
    assert "usage: apisocket.py SOCKET HOST:PORT" in capsys.readouterr().err
