"""Start the whole gRPC baseline: 10 service processes and the frontend, on 127.0.0.1.

    python -m apps.boutique_grpc.launch --base-port 12000 [--seed S]

Waits until every service answers grpc.health.v1 and the frontend answers /_healthz, prints
the URL, and stops every process on SIGINT/SIGTERM. `Cluster` does the same for tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from apps.boutique.logic.rand import SEED_ENV
from apps.boutique_grpc.health import check
from apps.boutique_grpc.stubs import stub_path
from apps.boutique_grpc.topology import FRONTEND, HOST, REDIS_ENV, SERVICES, ports_from_base

STOP_TIMEOUT = 5.0


def _child_env(seed: str | None) -> dict[str, str]:
    """This process's environment, with its import path (and the stubs) for the children."""
    env = dict(os.environ)
    paths = [p for p in [stub_path(), *sys.path] if p and Path(p).is_dir()]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if seed is not None:
        env[SEED_ENV] = seed
    return env


class Cluster:
    """The baseline's 11 processes; `start` waits for health, `stop` ends them all."""

    def __init__(self, ports: dict[str, int], seed: str | None = None, redis: str | None = None) -> None:
        self.ports = ports
        self.seed = seed
        self.redis = redis
        """host:port of the Redis the cart store uses (None: in memory)."""
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.ports[FRONTEND]}"

    def start(self, timeout: float = 30.0) -> None:
        """Start every process and wait until all are healthy (or stop them and raise)."""
        env = _child_env(self.seed)
        if self.redis is not None:
            env[REDIS_ENV] = self.redis
        ports = json.dumps(self.ports)
        py = sys.executable
        try:
            for name in SERVICES:
                cmd = [py, "-m", "apps.boutique_grpc.server", name, "--ports", ports]
                self.procs[name] = subprocess.Popen(cmd, env=env)
            self.procs[FRONTEND] = subprocess.Popen(
                [py, "-m", "apps.boutique_grpc.frontend", "--ports", ports], env=env
            )
            asyncio.run(self._wait_healthy(time.monotonic() + timeout))
        except BaseException:
            self.stop()
            raise

    async def _wait_healthy(self, deadline: float) -> None:
        pending = set(SERVICES) | {FRONTEND}
        while pending:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {proc.returncode}")
            for name in sorted(pending):
                if await self._healthy(name):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not healthy in time: {sorted(pending)}")
            if pending:
                await asyncio.sleep(0.1)

    async def _healthy(self, name: str) -> bool:
        if name != FRONTEND:
            return await check(f"{HOST}:{self.ports[name]}", timeout=0.5)
        try:
            with await asyncio.to_thread(urllib.request.urlopen, f"{self.url}/_healthz", timeout=0.5) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM every process, wait up to STOP_TIMEOUT, then SIGKILL what is left."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in self.procs.values():
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-port", type=int, default=12000)
    parser.add_argument("--seed", default=None, help="make random choices deterministic")
    args = parser.parse_args()
    cluster = Cluster(ports_from_base(args.base_port), args.seed)
    stopping = False

    def on_signal(sig: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    cluster.start()
    print(f"boutique (gRPC baseline) serving on {cluster.url}", flush=True)
    try:
        while not stopping and all(p.poll() is None for p in cluster.procs.values()):
            time.sleep(0.2)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
