"""The gRPC baseline: grpc.aio unary calls through a generic handler with raw bytes.

No generated code: the method is registered with a generic handler and identity
(de)serializers, and the handler does the same msgspec work as the other stacks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from weaver_bench.rpc import workload

METHOD = "/bench.Bench/Call"


async def _call(request: bytes, context: Any) -> bytes:
    return workload.handle(request)


async def serve(host: str) -> tuple[str, object]:
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler("bench.Bench", {"Call": grpc.unary_unary_rpc_method_handler(_call)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port(f"{host}:0")
    await server.start()
    return f"{host}:{port}", server


async def client(address: str) -> Callable[[bytes], Awaitable[bytes]]:
    channel = grpc.aio.insecure_channel(address)
    await channel.channel_ready()
    stub = channel.unary_unary(METHOD)

    async def call(payload: bytes) -> bytes:
        reply: bytes = await stub(payload)
        return reply

    call.channel = channel  # type: ignore[attr-defined]  # keep it alive
    return call
