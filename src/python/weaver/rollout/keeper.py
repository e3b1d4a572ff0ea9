"""Keeps an app's serving versions alive: a version whose manager died is started again.

The multiprocess deployer restarts a replica that dies, but nothing restarts a manager killed with
SIGKILL (its replicas exit with it, as their pipe closes). The keeper runs in the app's proxy
process, which outlives every controller: every CHECK_S it reads the saved rollout state and, for
each version that should serve (weighted or draining, not stopped) whose status.json names a dead
manager, starts it again from its kept PEX on the private addresses it had, so the proxy's table
stays right. Failed restarts are retried with a doubling backoff. Every action is logged (proxy.log).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from weaver.rollout.controller import short
from weaver.rollout.deployer import MultiDeployer
from weaver.rollout.interfaces import Deployer
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.state import RolloutState, load

CHECK_S = 1.0
MAX_BACKOFF_S = 30.0


def serving(state: RolloutState) -> list[str]:
    """Versions that should be up: in the table (weighted or draining) and not stopped."""
    wanted = [v for v, w in state.weights.items() if w > 0] + list(state.draining)
    return [v for v in dict.fromkeys(wanted) if v in state.versions and state.versions[v].stopped is None]


class Keeper:
    """Restarts dead versions of one app (see the module docstring)."""

    def __init__(
        self,
        paths: AppPaths,
        deployer: Deployer | None = None,
        on_manager: Callable[[str, str], None] | None = None,
    ) -> None:
        self.paths = paths
        self.deployer = deployer or MultiDeployer(paths.state_root)
        self.on_manager = on_manager
        """(version, manager host:port) of a version it restarted: where its spans go now."""
        self.retry_at: dict[str, float] = {}
        self.backoff: dict[str, float] = {}
        self.restarts = 0

    def check(self) -> list[str]:
        """One pass: restart what died; returns what was done, as log lines."""
        try:
            state = load(self.paths.state)
        except RolloutError as e:
            return [f"cannot read the rollout state: {e}"]
        if state is None:
            return []
        done = []
        for version in serving(state):
            health = self.deployer.status(state.app, version)
            if health is None or health.alive or time.monotonic() < self.retry_at.get(version, 0.0):
                continue
            deployed = state.versions[version]
            started = time.monotonic()
            done.append(f"version {short(version)}: {health.detail}; restarting it from {deployed.pex}")
            try:
                self.deployer.start(state.app, version, Path(deployed.pex), deployed.backends)
            except RolloutError as e:
                delay = min(MAX_BACKOFF_S, self.backoff.get(version, 0.5) * 2)
                self.backoff[version], self.retry_at[version] = delay, time.monotonic() + delay
                done.append(f"version {short(version)}: restart failed ({e}); next try in {delay:g}s")
                continue
            self.backoff.pop(version, None)
            self.retry_at.pop(version, None)
            self.restarts += 1
            now = self.deployer.status(state.app, version)
            if self.on_manager is not None and now is not None and now.manager:
                self.on_manager(version, now.manager)
            done.append(f"version {short(version)}: restarted in {time.monotonic() - started:.1f}s")
        return done

    async def run(self, stop: asyncio.Event) -> None:
        """Check every CHECK_S until `stop` is set."""
        while not stop.is_set():
            for line in await asyncio.to_thread(self.check):
                print(f"{time.strftime('%H:%M:%S')} keeper: {line}", flush=True)
            try:
                await asyncio.wait_for(stop.wait(), CHECK_S)
            except TimeoutError:
                pass
