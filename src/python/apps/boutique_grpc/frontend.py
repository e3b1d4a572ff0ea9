"""The baseline's frontend process: the shared ASGI frontend over gRPC clients, on the same HTTP
server as the weaver variants (weaver's lean server)."""

from __future__ import annotations

from apps.boutique_grpc import process
from apps.boutique_grpc.topology import DEPENDENCIES, FRONTEND, HOST, frontend_services, open_channels


async def serve(ports: dict[str, int]) -> None:
    """Serve HTTP on the frontend's port until a stop signal."""
    channels = open_channels(DEPENDENCIES[FRONTEND], ports)

    async def close() -> None:
        for ch in channels.values():
            await ch.close()

    await process.serve_frontend(frontend_services(channels), HOST, ports[FRONTEND], close)


def main() -> None:
    process.command(__doc__, lambda _, ports: serve(ports))


if __name__ == "__main__":
    main()
