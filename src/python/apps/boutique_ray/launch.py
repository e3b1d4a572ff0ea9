"""Start the Ray Serve baseline and serve its frontend until SIGINT/SIGTERM.

    python -m apps.boutique_ray.launch --port 12000 [--seed S]

Starts a local Ray cluster owned by this process (head node on 127.0.0.1, dashboard and usage
stats off, its files in a fresh temporary directory), deploys the ten services, serves the
frontend in this process, and on a stop signal shuts Serve and the cluster down and removes
the directory. Ray takes tens of seconds to start here: each step prints its elapsed time.
The cart store uses Redis when REDIS_ENV names one; SEED_ENV seeds the replicas' choices.

Checked with strace: every connection Ray makes goes to 127.0.0.1 (RAY_ENV). One thing is not
configurable in Ray Serve 2.60: each replica opens an inter-deployment gRPC server on `[::]:0`
(all interfaces, an ephemeral port) that handles do not use.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from apps.boutique.microservices import HOST
from apps.boutique_grpc import process

EGRESS_GUARD = "http://127.0.0.1:9"
"""A proxy nobody listens on (the discard port): HTTP to anything but this host fails at once."""

RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage report (this machine has no outside network)
    "RAY_USAGE_STATS_PROMPT_ENABLED": "0",
    # A single-node cluster: the node's address stays 127.0.0.1 (else Ray replaces it with the
    # machine's own address, found by routing a socket to 8.8.8.8, and listens on all interfaces).
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_DISABLE_DOCKER_CPU_WARNING": "1",
    "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",  # never look for `uv` (it would install packages)
    # Ray's head always probes cloud metadata servers (169.254.169.254, metadata.google.internal)
    # over HTTP, usage stats or not: send whatever HTTP is not local to a closed local port.
    "HTTP_PROXY": EGRESS_GUARD,
    "HTTPS_PROXY": EGRESS_GUARD,
    "http_proxy": EGRESS_GUARD,
    "https_proxy": EGRESS_GUARD,
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
"""Set before Ray is imported; the cluster's processes inherit them."""

OBJECT_STORE_BYTES = 128 * 1024 * 1024
"""The calls' values are small and travel inline; Ray's default takes 30% of the memory."""


SOCKET_PATH_ROOM = 40
"""Ray's socket paths add ~70 characters to its directory; a Unix socket path has 107 at most."""


def _short_tmp() -> str | None:
    """The temporary directory if short enough for Ray's sockets (a test sandbox's may not be), else /tmp."""
    return None if len(tempfile.gettempdir()) <= SOCKET_PATH_ROOM - len("/bray-xxxxxxxx") else "/tmp"


def say(t0: float, what: str) -> None:
    print(f"boutique_ray [{time.monotonic() - t0:5.1f} s] {what}", file=sys.stderr, flush=True)


def start(temp_dir: str, t0: float) -> None:
    """Start the local cluster and Serve (no HTTP proxy: the frontend is not Serve's), then
    deploy every service, each after those it calls."""
    os.environ.update(RAY_ENV)
    import ray
    from ray import serve

    from apps.boutique_ray.services import deployments

    say(t0, f"starting a local Ray cluster on {HOST} (files in {temp_dir})")
    ray.init(address="local", _node_ip_address=HOST, include_dashboard=False, _temp_dir=temp_dir,
             object_store_memory=OBJECT_STORE_BYTES, log_to_driver=True)  # fmt: skip
    say(t0, "Ray started; starting Serve")
    serve.start(proxy_location="Disabled")
    for name, deployment in deployments().items():
        serve.run(deployment.bind(), name=name, route_prefix=None)
        say(t0, f"deployed {name}")


def stop(t0: float) -> None:
    """Shut Serve and the cluster down (idempotent; no-op if Ray never started)."""
    import ray
    from ray import serve

    if ray.is_initialized():
        say(t0, "stopping Serve and Ray")
        serve.shutdown()  # type: ignore[no-untyped-call]  # untyped in Ray
        ray.shutdown()
        say(t0, "stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=12000, help="the frontend's HTTP port on 127.0.0.1")
    parser.add_argument("--seed", default=None, help="make random choices deterministic")
    args = parser.parse_args()
    if args.seed is not None:
        from apps.boutique.logic.rand import SEED_ENV

        os.environ[SEED_ENV] = args.seed
    t0 = time.monotonic()
    temp_dir = tempfile.mkdtemp(prefix="bray-", dir=_short_tmp())
    try:
        start(temp_dir, t0)
        from apps.boutique_ray.frontend import serve

        say(t0, f"boutique (Ray Serve baseline) serving the frontend on http://{HOST}:{args.port}")
        process.run(lambda: serve(args.port))
    finally:
        stop(t0)
        shutil.rmtree(temp_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
