"""One baseline service process: `python -m apps.boutique_grpc.server NAME --ports JSON`."""

from __future__ import annotations

import grpc

from apps.boutique_grpc import process
from apps.boutique_grpc.health import add_health
from apps.boutique_grpc.topology import DEPENDENCIES, HOST, SERVICES, open_channels, servicer

GRACE_SECONDS = 1.0


async def serve(name: str, ports: dict[str, int]) -> None:
    """Serve service `name` (and health) on its port until a stop signal."""
    channels = open_channels(DEPENDENCIES.get(name, ()), ports)
    server = grpc.aio.server()
    impl, add = servicer(name, channels)
    add(impl, server)
    add_health(server)
    server.add_insecure_port(f"{HOST}:{ports[name]}")
    await server.start()
    try:
        await process.stop_signal()
    finally:
        await server.stop(GRACE_SECONDS)
        for ch in channels.values():
            await ch.close()


def main() -> None:
    process.command(__doc__, serve, SERVICES)


if __name__ == "__main__":
    main()
