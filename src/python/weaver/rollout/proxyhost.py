"""The app's proxy worker, started by its guard (`weaver rollout _proxy APP`, see proxyguard.py).

One detached guard per app holds the public sockets; its worker runs a `weaver.proxy.Proxy` per
public listener on them, each with its own admin endpoint on 127.0.0.1 (a free port). Once
serving it writes `rollout/<app>/proxy.json` (the guard's and its own pid, per-listener public and
admin addresses) for controllers to find it. It starts from the tables
that the saved rollout state implies, so a restarted proxy serves what the last controller set.
It runs until SIGTERM/SIGINT and outlives every controller, and it runs the app's keeper
(`keeper.py`), which starts again a serving version whose manager died.

Every proxied request gets a span (when OpenTelemetry is importable; a share of new traces,
`WEAVER_PROXY_TRACE_SAMPLE`, default 0.1, and every request with a sampled `traceparent`) and
an access log entry; both go to the manager of the version that served it (shipper.py).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time

import msgspec

from weaver.config import ConfigError, TracingOptions
from weaver.internal import envvars
from weaver.internal.files import atomic_write
from weaver.internal.loop import run as run_on_loop
from weaver.internal.signals import stop_event
from weaver.proxy.observe import Observer
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table
from weaver.rollout import proxyguard, shiplog
from weaver.rollout import state as statemod
from weaver.rollout.keeper import Keeper
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.shipper import Shipper
from weaver.rollout.tables import entries, listener_tables

GUARD_CHECK_S = 1.0
"""How often the worker checks that its guard still runs (it stops when the guard is gone)."""


class ListenerInfo(msgspec.Struct):
    address: str
    """The public address clients use."""
    admin: str


class ProxyInfo(msgspec.Struct):
    pid: int
    """The guard's pid: the process to signal (proxyguard.py)."""
    started: float
    listeners: dict[str, ListenerInfo]
    worker: int = 0
    """The worker's pid (the process that proxies; restarted by the guard when it dies)."""


def read_info(paths: AppPaths) -> ProxyInfo | None:
    """proxy.json, or None if absent or unreadable (a proxy that is not there)."""
    try:
        return msgspec.json.decode(paths.proxy.read_bytes(), type=ProxyInfo)
    except (OSError, msgspec.DecodeError):
        return None


def start_tracing() -> bool:
    """Trace proxied requests if OpenTelemetry is importable here; whether it is on."""
    from weaver import tracing

    try:
        ratio = float(os.environ.get(envvars.PROXY_TRACE_SAMPLE, "0.1"))
        tracing.configure(TracingOptions(enabled=True, sample_ratio=ratio), "proxy", "weaver-proxy")
    except (ConfigError, ValueError) as e:
        print(f"proxy: tracing off: {e}", flush=True)
        return False
    return True


def start_shipper(app: str) -> Shipper:
    """The shipper of this worker's spans and access log entries (it starts with tracing)."""
    from weaver import tracing

    traced = start_tracing()
    collector = tracing.collector() if traced else None
    shipper = Shipper(f"proxy of {app}", collector.drain if collector is not None else None)
    shiplog.install(shipper, app)
    return shipper


def initial_tables(paths: AppPaths, names: list[str]) -> dict[str, Table]:
    """The tables the saved rollout state implies (empty ones without a usable state)."""
    try:
        saved = statemod.load(paths.state)
    except RolloutError:
        saved = None
    if saved is None:
        return {}
    return listener_tables(entries(saved), names)


async def serve(paths: AppPaths, socks: dict[str, socket.socket], grace: float = 5.0) -> None:
    """Serve on the guard's sockets with an admin endpoint each, publish proxy.json, run the keeper,
    until signalled or until the guard is gone."""
    tables = initial_tables(paths, list(socks))
    guard = os.getppid()
    proxies: list[Proxy] = []
    info: dict[str, ListenerInfo] = {}
    shipper = start_shipper(paths.app)
    shipping = asyncio.create_task(shipper.run())
    try:
        for name, sock in socks.items():
            proxy = Proxy(tables.get(name), observer=Observer(name))
            proxy.table_watchers.append(shipper.learn)
            shipper.learn(proxy.table)
            proxies.append(proxy)
            host, port = await proxy.listen(sock=sock)
            admin_host, admin_port = await proxy.listen_admin("127.0.0.1", 0)
            info[name] = ListenerInfo(f"{host}:{port}", f"{admin_host}:{admin_port}")
            print(f"{name}: listening on {host}:{port}, admin on {admin_host}:{admin_port}", flush=True)
        atomic_write(paths.proxy, msgspec.json.encode(ProxyInfo(guard, time.time(), info, os.getpid())))
        stop = stop_event()
        loop = asyncio.get_running_loop()

        def moved(version: str, manager: str) -> None:  # from the keeper's thread
            loop.call_soon_threadsafe(shipper.managers.__setitem__, version, manager)

        keeper = asyncio.create_task(Keeper(paths, on_manager=moved).run(stop))
        while not stop.is_set() and os.getppid() == guard:
            try:
                await asyncio.wait_for(stop.wait(), GUARD_CHECK_S)
            except TimeoutError:
                pass
        stop.set()
        await keeper
    finally:
        current = read_info(paths)
        if current is not None and current.worker == os.getpid():
            paths.proxy.unlink(missing_ok=True)
        await asyncio.gather(*(p.close(grace) for p in proxies))
        shipper.stop()
        await shipping


def inherited(spec: str) -> dict[str, socket.socket]:
    """The guard's sockets from `NAME=FD,...`."""
    out = {}
    for item in spec.split(","):
        name, _, fd = item.partition("=")
        out[name] = socket.socket(fileno=int(fd))
    return out


def main(app: str, listeners: dict[str, str]) -> int:
    """The guard (proxyguard.py), or in the process it started, the worker (uvloop when installed)."""
    spec = os.environ.get(envvars.PROXY_FDS)
    if not spec:
        return proxyguard.run(app, listeners)
    try:
        run_on_loop(serve(AppPaths(app), inherited(spec)))
    except OSError as e:
        print(f"weaver rollout proxy for {app}: {e}", flush=True)
        return 1
    return 0
