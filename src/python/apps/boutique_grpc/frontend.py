"""The baseline's frontend process: the shared ASGI frontend over gRPC clients, on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import uvicorn

from apps.boutique.frontend.app import UVICORN_OPTIONS, make_app
from apps.boutique.frontend.web import ASGIApp
from apps.boutique_grpc import process
from apps.boutique_grpc.topology import DEPENDENCIES, FRONTEND, HOST, frontend_services, open_channels


def uvicorn_config(app: ASGIApp, port: int) -> uvicorn.Config:
    """The HTTP server stack used by every variant: uvicorn + httptools on uvloop, quiet."""
    options: dict[str, Any] = dict(UVICORN_OPTIONS)
    return uvicorn.Config(app, host=HOST, port=port, loop="uvloop", http="httptools", **options)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the process stops it (see `process`)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(ports: dict[str, int]) -> None:
    """Serve HTTP on the frontend's port until a stop signal."""
    channels = open_channels(DEPENDENCIES[FRONTEND], ports)
    server = _Server(uvicorn_config(make_app(frontend_services(channels)), ports[FRONTEND]))
    task = asyncio.create_task(server.serve())
    try:
        stop = asyncio.create_task(process.stop_signal())
        await asyncio.wait([task, stop], return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        await task
        for ch in channels.values():
            await ch.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", required=True, help="JSON map of process name to port")
    args = parser.parse_args()
    process.run(lambda: serve({k: int(v) for k, v in json.loads(args.ports).items()}))


if __name__ == "__main__":
    main()
