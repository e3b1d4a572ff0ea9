"""One HTTP baseline service process: `python -m apps.boutique_http.server NAME --ports JSON`.

Serves the service's FastAPI app with uvicorn (httptools, uvloop: its fast path), on its port of
127.0.0.1, until SIGINT/SIGTERM or until its parent is gone.
"""

from __future__ import annotations

import asyncio

import uvicorn

from apps.boutique.microservices import DEPENDENCIES, HOST, SERVICES
from apps.boutique_grpc import process
from apps.boutique_http.topology import BUILDERS, open_clients


async def serve(name: str, ports: dict[str, int]) -> None:
    clients = open_clients(DEPENDENCIES.get(name, ()), ports)
    config = uvicorn.Config(BUILDERS[name](clients), host=HOST, port=ports[name], loop="none", http="httptools",
                            lifespan="off", access_log=False, log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        stop = asyncio.create_task(process.stop_signal())
        await asyncio.wait([task, stop], return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        await task
        for h in clients.values():
            await h.aclose()


def main() -> None:
    process.command(__doc__, serve, SERVICES)


if __name__ == "__main__":
    main()
