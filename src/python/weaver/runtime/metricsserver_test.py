"""The manager's /metrics endpoint: the current merged figures, and nothing else."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from weaver.metrics.calls import CallTable
from weaver.runtime.metricsserver import MetricsServer


async def get(address: str, request: bytes) -> tuple[bytes, bytes]:
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        async with asyncio.timeout(5):
            data = await reader.read()
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


async def test_serves_the_latest_snapshot_and_refuses_other_paths() -> None:
    table = CallTable()
    slot = table.slot("weaver.Main", "hello.Greeter", "greet", True)
    server = MetricsServer(lambda: table.snapshot("v1"))
    address = await server.start()
    try:
        assert address.startswith("127.0.0.1:")
        for n in (1, 2):
            slot.record(1_000)
            head, body = await get(address, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 ") and b"text/plain; version=0.0.4" in head
            fams = {f.name: f for f in text_string_to_metric_families(body.decode())}
            assert [s.value for s in fams["weaver_method_calls"].samples if s.name.endswith("_total")] == [n]
        head, _ = await get(address, b"GET / HTTP/1.1\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 404 ")
        head, _ = await get(address, b"POST /metrics HTTP/1.1\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 405 ")
    finally:
        await server.close()
