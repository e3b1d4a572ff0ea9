"""Start the whole HTTP/JSON baseline: 10 FastAPI service processes and the frontend, on 127.0.0.1.

    python -m apps.boutique_http.launch --base-port 12000 [--seed S]

The gRPC baseline's launcher (`apps.boutique_grpc.launch.Cluster`) with this package's processes;
services are healthy when `GET /healthz` answers 200.
"""

from __future__ import annotations

import argparse

from apps.boutique.microservices import HOST, ports_from_base
from apps.boutique_grpc.launch import Cluster, http_ok, serve_until_signal


class HttpCluster(Cluster):
    package = "apps.boutique_http"

    async def service_healthy(self, name: str) -> bool:
        return await http_ok(f"http://{HOST}:{self.ports[name]}/healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-port", type=int, default=12000)
    parser.add_argument("--seed", default=None, help="make random choices deterministic")
    args = parser.parse_args()
    serve_until_signal(HttpCluster(ports_from_base(args.base_port), args.seed), "HTTP/JSON baseline")


if __name__ == "__main__":
    main()
