"""The proxy pod (`WEAVER_PROCLET=kube-proxy`): the app's version-pinning proxy on Kubernetes.

One `weaver.proxy.Proxy` per public listener on POD_IP, each with its admin endpoint (tables
in, counters out: what `weaver kube rollout` drives) on its own port. It starts from the tables
the rollout state in the mounted ConfigMap implies, so a proxy pod that is replaced serves what
the last controller set without waiting for one. SIGTERM closes the listeners and gives requests
in flight the grace.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import msgspec

from weaver.deployers.kube.proxyobjects import LISTENERS_ENV, STATE_DIR, STATE_KEY
from weaver.internal.signals import stop_event
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table
from weaver.rollout.state import RolloutState
from weaver.rollout.tables import entries, listener_tables


class ProxyPodError(Exception):
    """The pod's environment or mounted state is not what its Deployment sets."""


def parse_listeners(spec: str) -> dict[str, tuple[int, int]]:
    """`NAME=PORT:ADMIN,...` -> name -> (port, admin port)."""
    out = {}
    for item in filter(None, spec.split(",")):
        name, _, ports = item.partition("=")
        port, _, admin = ports.partition(":")
        if not name or not port.isdigit() or not admin.isdigit():
            raise ProxyPodError(f"{LISTENERS_ENV}: {item!r} is not NAME=PORT:ADMIN_PORT")
        out[name] = (int(port), int(admin))
    if not out:
        raise ProxyPodError(f"{LISTENERS_ENV} names no listener")
    return out


def saved_tables(path: Path, names: list[str]) -> dict[str, Table]:
    """The tables the mounted rollout state implies; none without a state (a first start)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise ProxyPodError(f"cannot read the rollout state {path}: {e.strerror}") from None
    try:
        state = msgspec.json.decode(data, type=RolloutState)
    except msgspec.DecodeError as e:
        raise ProxyPodError(f"the rollout state {path} is corrupt: {e}") from None
    return listener_tables(entries(state), names)


async def serve(host: str, ports: dict[str, tuple[int, int]], state: Path, grace: float) -> None:
    tables = saved_tables(state, list(ports))
    proxies = []
    try:
        for name, (port, admin) in sorted(ports.items()):
            proxy = Proxy(tables.get(name))
            proxies.append(proxy)
            await proxy.listen(host, port)
            await proxy.listen_admin(host, admin)
            versions = ", ".join(v[:12] for v in proxy.table.versions) or "none yet"
            print(f"{name}: proxy on {host}:{port}, admin on {host}:{admin}, versions: {versions}", flush=True)
        stop = stop_event()
        await stop.wait()
    finally:
        await asyncio.gather(*(p.close(grace) for p in proxies))


def main() -> int:
    """The proxy pod's entry point (weaver.app_main)."""
    try:
        ports = parse_listeners(os.environ.get(LISTENERS_ENV, ""))
        host = os.environ.get("POD_IP") or "127.0.0.1"
        grace = float(os.environ.get("WEAVER_KUBE_GRACE", "5"))
        asyncio.run(serve(host, ports, Path(STATE_DIR) / STATE_KEY, grace))
    except (ProxyPodError, OSError, ValueError) as e:
        print(f"weaver kube proxy: {e}", file=sys.stderr)
        return 1
    return 0
