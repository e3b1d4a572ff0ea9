"""grpc.health.v1 Health: every baseline process reports SERVING while it runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc

from apps.boutique_grpc.stubs import health_pb, health_pb_grpc


class HealthServicer:
    """Check answers SERVING; Watch sends SERVING once and holds the stream open."""

    async def Check(self, request: Any, context: Any) -> Any:
        return health_pb.HealthCheckResponse(status=health_pb.HealthCheckResponse.SERVING)

    async def Watch(self, request: Any, context: Any) -> AsyncIterator[Any]:
        yield health_pb.HealthCheckResponse(status=health_pb.HealthCheckResponse.SERVING)
        await asyncio.Event().wait()  # until the client cancels or the server stops


def add_health(server: grpc.aio.Server) -> None:
    """Serve grpc.health.v1 on `server`."""
    health_pb_grpc.add_HealthServicer_to_server(HealthServicer(), server)


async def check(address: str, timeout: float) -> bool:
    """True if the server at `address` answers SERVING within `timeout` seconds."""
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb_grpc.HealthStub(channel)
        try:
            resp = await stub.Check(health_pb.HealthCheckRequest(), timeout=timeout)
        except grpc.aio.AioRpcError:
            return False
        return bool(resp.status == health_pb.HealthCheckResponse.SERVING)
