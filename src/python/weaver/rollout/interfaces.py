"""What the controller drives, as Protocols: the proxy front, the deployer, the clock, the display.

The real ones talk to processes (proxyclient.ProxyFront, deployer.MultiDeployer, warmup.HttpWarmer); unit tests use
in-memory fakes, so the controller's logic is tested without processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from weaver.proxy.stats import Snapshot
from weaver.rollout.state import RolloutState
from weaver.rollout.tables import Entry
from weaver.rollout.warmup import Target, WarmupResult


@dataclass(frozen=True)
class VersionHealth:
    """What the deployer says about one version."""

    alive: bool
    healthy: bool
    listeners: dict[str, str] = field(default_factory=dict)
    detail: str = ""
    manager: str = ""
    """The manager's endpoint (`host:port`), "" if it publishes none."""


class Front(Protocol):
    """The app's version-pinning proxy (one per public listener), outliving the controller."""

    def ensure(self, listeners: dict[str, str]) -> dict[str, str]:
        """Start the proxy if it is not running; returns listener -> bound public address."""
        ...

    def apply(self, table: dict[str, Entry]) -> None:
        """Make `table` the traffic table of every listener."""
        ...

    def snapshot(self) -> Snapshot:
        """Cumulative per-version counters, summed over listeners."""
        ...


class Deployer(Protocol):
    """The multiprocess deployer, one deployment per (app, version)."""

    def start(self, app: str, version: str, pex: Path, listeners: dict[str, str] | None = None) -> None:
        """Start the version detached, with private listeners (on `listeners`' addresses if given)."""
        ...

    def status(self, app: str, version: str) -> VersionHealth | None:
        """None when the version was never started (no status.json)."""
        ...

    def stop(self, app: str, version: str, grace: float) -> None: ...


class Warmer(Protocol):
    """Sends the synthetic warm-up requests to a new version's own listeners."""

    def warm(self, targets: list[Target], rounds: int) -> WarmupResult: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall-clock time (persisted timestamps must survive a controller restart)."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class Observer(Protocol):
    """Progress: a tick per interval with the step's window, and notable events."""

    def tick(self, state: RolloutState, window: Snapshot, rates: dict[str, float]) -> None: ...

    def event(self, message: str) -> None: ...


class NullObserver:
    def tick(self, state: RolloutState, window: Snapshot, rates: dict[str, float]) -> None:
        pass

    def event(self, message: str) -> None:
        pass
