"""The HTTP baseline's frontend process: the shared ASGI frontend over httpx clients, on the same
HTTP server as every other variant (weaver's lean server)."""

from __future__ import annotations

from apps.boutique.microservices import DEPENDENCIES, FRONTEND, HOST
from apps.boutique_grpc import process
from apps.boutique_http.topology import frontend_services, open_clients


async def serve(ports: dict[str, int]) -> None:
    """Serve HTTP on the frontend's port until a stop signal."""
    clients = open_clients(DEPENDENCIES[FRONTEND], ports)

    async def close() -> None:
        for h in clients.values():
            await h.aclose()

    await process.serve_frontend(frontend_services(clients), HOST, ports[FRONTEND], close)


def main() -> None:
    process.command(__doc__, lambda _, ports: serve(ports))


if __name__ == "__main__":
    main()
