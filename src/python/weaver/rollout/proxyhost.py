"""The app's proxy process (`weaver rollout _proxy APP --listen NAME=HOST:PORT ...`).

One detached process per app runs a `weaver.proxy.Proxy` per public listener, each with its own
admin endpoint on 127.0.0.1 (a free port). Once bound it writes `rollout/<app>/proxy.json` (pid,
per-listener public and admin addresses) for controllers to find it. It starts from the tables
that the saved rollout state implies, so a restarted proxy serves what the last controller set.
It runs until SIGTERM/SIGINT and outlives every controller, and it runs the app's keeper
(`keeper.py`), which starts again a serving version whose manager died.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import msgspec

from weaver.internal.address import parse_address
from weaver.internal.files import atomic_write
from weaver.internal.loop import run as run_on_loop
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table
from weaver.rollout import state as statemod
from weaver.rollout.keeper import Keeper
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.tables import entries, listener_tables


class ListenerInfo(msgspec.Struct):
    address: str
    """The public address clients use."""
    admin: str


class ProxyInfo(msgspec.Struct):
    pid: int
    started: float
    listeners: dict[str, ListenerInfo]


def read_info(paths: AppPaths) -> ProxyInfo | None:
    """proxy.json, or None if absent or unreadable (a proxy that is not there)."""
    try:
        return msgspec.json.decode(paths.proxy.read_bytes(), type=ProxyInfo)
    except (OSError, msgspec.DecodeError):
        return None


def initial_tables(paths: AppPaths, names: list[str]) -> dict[str, Table]:
    """The tables the saved rollout state implies (empty ones without a usable state)."""
    try:
        saved = statemod.load(paths.state)
    except RolloutError:
        saved = None
    if saved is None:
        return {}
    return listener_tables(entries(saved), names)


async def serve(paths: AppPaths, listeners: dict[str, str], grace: float = 5.0) -> None:
    """Bind every listener and its admin endpoint, publish proxy.json, run until signalled."""
    tables = initial_tables(paths, list(listeners))
    proxies: list[Proxy] = []
    info: dict[str, ListenerInfo] = {}
    try:
        for name, address in listeners.items():
            proxy = Proxy(tables.get(name))
            proxies.append(proxy)
            host, port = await proxy.listen(*parse_address(address, what=f"listener {name!r} address", port_zero=True))
            admin_host, admin_port = await proxy.listen_admin("127.0.0.1", 0)
            info[name] = ListenerInfo(f"{host}:{port}", f"{admin_host}:{admin_port}")
            print(f"{name}: listening on {host}:{port}, admin on {admin_host}:{admin_port}", flush=True)
        atomic_write(paths.proxy, msgspec.json.encode(ProxyInfo(os.getpid(), time.time(), info)))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        keeper = asyncio.create_task(Keeper(paths).run(stop))
        await stop.wait()
        await keeper
    finally:
        current = read_info(paths)
        if current is not None and current.pid == os.getpid():
            paths.proxy.unlink(missing_ok=True)
        await asyncio.gather(*(p.close(grace) for p in proxies))


def main(app: str, listeners: dict[str, str]) -> int:
    """Run the proxy process (uvloop when installed)."""
    paths = AppPaths(app)
    try:
        run_on_loop(serve(paths, listeners))
    except OSError as e:
        print(f"weaver rollout proxy for {app}: {e}", flush=True)
        return 1
    return 0
