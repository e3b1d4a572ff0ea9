"""The baseline's frontend process: the shared ASGI frontend over gRPC clients, on the same HTTP
server as the weaver variants (`HTTP_SERVER`, weaver's lean server)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket

from apps.boutique.frontend.app import HTTP_SERVER, make_app
from apps.boutique_grpc import process
from apps.boutique_grpc.topology import DEPENDENCIES, FRONTEND, HOST, frontend_services, open_channels
from weaver import httpserver

assert HTTP_SERVER == "weaver", "the baseline serves HTTP as the weaver variants do"


async def serve(ports: dict[str, int]) -> None:
    """Serve HTTP on the frontend's port until a stop signal."""
    channels = open_channels(DEPENDENCIES[FRONTEND], ports)
    sock = socket.create_server((HOST, ports[FRONTEND]), backlog=1024)
    sock.setblocking(False)
    task = asyncio.create_task(httpserver.serve(make_app(frontend_services(channels)), sock))
    try:
        stop = asyncio.create_task(process.stop_signal())
        await asyncio.wait([task, stop], return_when=asyncio.FIRST_COMPLETED)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for ch in channels.values():
            await ch.close()
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", required=True, help="JSON map of process name to port")
    args = parser.parse_args()
    process.run(lambda: serve({k: int(v) for k, v in json.loads(args.ports).items()}))


if __name__ == "__main__":
    main()
