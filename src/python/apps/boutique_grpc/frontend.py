"""The baseline's frontend process: the shared ASGI frontend over gRPC clients, on the same HTTP
server as the weaver variants (weaver's lean server)."""

from __future__ import annotations

import argparse
import json

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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", required=True, help="JSON map of process name to port")
    args = parser.parse_args()
    process.run(lambda: serve({k: int(v) for k, v in json.loads(args.ports).items()}))


if __name__ == "__main__":
    main()
