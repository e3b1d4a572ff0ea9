"""Deploying an app over local processes: describe it, plan its groups, run a Manager.

`deploy()` is what `weaver multi deploy` and `weaver.testing`'s multi mode share; `serve()`
runs a deployment in the foreground until SIGINT/SIGTERM (or a stop request) and stops it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable, Mapping
from pathlib import Path

from weaver import config as configmod
from weaver.deployers.multi import deployments
from weaver.deployers.multi.manager import Manager
from weaver.runtime import groups as groupsmod
from weaver.runtime import launch

log = logging.getLogger("weaver.multi")


async def deploy(
    spec: launch.LaunchSpec,
    replicas: int | None = None,
    listeners: Mapping[str, str] | None = None,
    private_listeners: bool = False,
    directory: Path | None = None,
    routing_view: Callable[[str, dict[str, list[str]]], dict[str, list[str]]] | None = None,
) -> Manager:
    """Describe the app, place it and start its replicas (returns once started, not healthy).

    `routing_view` becomes the manager's (what each group is told of routing; testing's chaos).
    """
    info = await launch.describe(spec)
    config = configmod.load(info.config_path or None)
    groups = groupsmod.plan(info, config, replicas)
    unknown = set(listeners or {}) - {ln for g in groups for ln in g.listeners}
    if unknown:
        raise configmod.ConfigError(f"--listener {sorted(unknown)[0]}: the app has no such listener")
    spec.env.setdefault("WEAVER_VERSION", info.version)
    spec.env.setdefault("WEAVER_APP", info.app)
    if info.config_path:
        spec.env.setdefault("WEAVER_CONFIG", info.config_path)
    manager = Manager(
        spec, info, groups, groupsmod.multi_options(config), config, listeners, private_listeners, directory
    )
    manager.routing_view = routing_view
    await manager.start()
    return manager


async def serve(manager: Manager, ready_timeout: float = 120.0) -> int:
    """Run `manager` until a signal arrives, then stop it (grace from a stop request, if any)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        waiter = asyncio.create_task(stop.wait())
        healthy = asyncio.create_task(manager.wait_healthy(ready_timeout))
        await asyncio.wait({waiter, healthy}, return_when=asyncio.FIRST_COMPLETED)
        if healthy.done() and healthy.result():
            log.info(
                "%s@%s healthy; listeners: %s",
                manager.info.app,
                manager.info.version[:12],
                ", ".join(f"{k}=http://{v}" for k, v in manager.listeners.items()) or "(none)",
            )
        elif healthy.done():
            log.warning("%s not healthy after %.0fs; still trying", manager.info.app, ready_timeout)
        await waiter
        healthy.cancel()
    finally:
        await manager.stop(_requested_grace(manager.dir))
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return 0


def _requested_grace(directory: Path) -> float | None:
    path = directory / "stop.json"
    try:
        return float(json.loads(path.read_text())["grace"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def request_stop(status_dir: Path, pid: int, grace: float | None) -> None:
    """Ask the manager `pid` to stop (SIGTERM), leaving the grace period in stop.json."""
    import os

    if grace is not None:
        deployments.write_json(status_dir / "stop.json", {"grace": grace})
    os.kill(pid, signal.SIGTERM)
