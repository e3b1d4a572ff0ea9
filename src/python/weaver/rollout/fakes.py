"""In-memory stand-ins for the proxy front, the deployer, the warmer and the clock (controller tests).

FakeFront simulates traffic: at each snapshot, `rate` unpinned requests per second of fake time
are shared by weight among non-draining versions, plus `pinned[v]` per second to any version in
the table. By default each version fails exactly `bad[v]` of its requests and answers in
`latency[v]` seconds. With `rng` set, traffic is random and reproducible from the seed: each
request fails with probability `bad[v]`, takes a lognormal time with median `latency[v]` and
shape `sigma[v]`, and a version's first `cold[v]` requests take `cold_factor` times as long.
"""

from __future__ import annotations

import random
from pathlib import Path

from weaver.proxy.stats import Snapshot, VersionStats, bucket_of, percentile_us
from weaver.rollout.interfaces import VersionHealth
from weaver.rollout.tables import Entry
from weaver.rollout.warmup import Target, WarmupResult


class Crash(BaseException):
    """Raised by FakeClock to simulate the controller dying mid-rollout."""


class FakeClock:
    def __init__(self, start: float = 1000.0, crash_after: int | None = None) -> None:
        self.t = start
        self.sleeps = 0
        self.crash_after = crash_after

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        if self.crash_after is not None and self.sleeps > self.crash_after:
            raise Crash()
        self.t += max(seconds, 0.001)


class FakeFront:
    def __init__(self, clock: FakeClock, rate: float = 100.0, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.rate = rate
        self.rng = rng
        self.table: dict[str, Entry] = {}
        self.applied: list[dict[str, Entry]] = []
        self.bad: dict[str, float] = {}
        self.latency: dict[str, float] = {}
        self.sigma: dict[str, float] = {}
        self.cold: dict[str, int] = {}
        self.cold_factor = 4.0
        self.pinned: dict[str, float] = {}
        self.in_flight: dict[str, int] = {}
        self.stats: dict[str, VersionStats] = {}
        self.last_request: dict[str, float] = {}
        self.last = clock.now()
        self.carry: dict[str, float] = {}

    def ensure(self, listeners: dict[str, str]) -> dict[str, str]:
        return dict(listeners)

    def apply(self, table: dict[str, Entry]) -> None:
        self.advance()
        self.table = dict(table)
        if not self.applied or self.applied[-1] != self.table:
            self.applied.append(self.table)

    def advance(self) -> None:
        now = self.clock.now()
        dt, self.last = now - self.last, now
        open_ = {v: e.weight for v, e in self.table.items() if not e.draining and e.weight > 0}
        total = sum(open_.values())
        for v in self.table:
            share = self.rate * open_.get(v, 0.0) / total if total else 0.0
            n_float = self.carry.get(v, 0.0) + (share + self.pinned.get(v, 0.0)) * dt
            n = int(n_float)
            self.carry[v] = n_float - n
            if n:
                self._serve(v, n, now)

    def _serve(self, v: str, n: int, now: float) -> None:
        s = self.stats.setdefault(v, VersionStats())
        self.last_request[v] = now
        s.requests += n
        if self.rng is None:
            errors = round(n * self.bad.get(v, 0.0))
            s.status_5xx += errors
            s.status_2xx += n - errors
            b = bucket_of(self.latency.get(v, 0.005))
            s.latency[b] = s.latency.get(b, 0) + n
            return
        for _ in range(n):
            failed = self.rng.random() < self.bad.get(v, 0.0)
            s.status_5xx += failed
            s.status_2xx += not failed
            seconds = self.rng.lognormvariate(0.0, self.sigma.get(v, 0.0)) * self.latency.get(v, 0.005)
            if self.cold.get(v, 0) > 0:
                self.cold[v] -= 1
                seconds *= self.cold_factor
            b = bucket_of(seconds)
            s.latency[b] = s.latency.get(b, 0) + 1

    def snapshot(self) -> Snapshot:
        self.advance()
        now = self.clock.now()
        out = {}
        for v, s in self.stats.items():
            c = VersionStats(requests=s.requests, status_2xx=s.status_2xx, status_5xx=s.status_5xx)
            c.latency = dict(s.latency)
            c.p50_us, c.p99_us = percentile_us(c.latency, 0.5), percentile_us(c.latency, 0.99)
            c.in_flight = self.in_flight.get(v, 0)
            c.idle_s = now - self.last_request[v] if v in self.last_request else None
            out[v] = c
        return Snapshot(now, out)


class FakeDeployer:
    def __init__(self, clock: FakeClock, healthy_after: float = 2.0) -> None:
        self.clock = clock
        self.healthy_after = healthy_after
        self.started: dict[str, float] = {}
        self.ports: dict[str, int] = {}
        self.stopped: list[str] = []
        self.never_healthy: set[str] = set()
        self.calls: list[str] = []

    def run_already(self, version: str) -> None:
        self.started[version] = -1e9

    def start(self, app: str, version: str, pex: Path, listeners: dict[str, str] | None = None) -> None:
        self.calls.append(f"start {version}")
        self.started[version] = self.clock.now()

    def address(self, version: str) -> str:
        """The version's private listener address (one port per version)."""
        port = self.ports.setdefault(version, 9000 + len(self.ports))
        return f"127.0.0.1:{port}"

    def version_at(self, address: str) -> str:
        return next(v for v in self.ports if self.address(v) == address)

    def status(self, app: str, version: str) -> VersionHealth | None:
        if version not in self.started:
            return None
        alive = version not in self.stopped
        healthy = (
            alive
            and version not in self.never_healthy
            and self.clock.now() - self.started[version] >= self.healthy_after
        )
        address = self.address(version)
        manager = f"127.0.0.1:{self.ports[version] + 1000}"  # its manager's endpoint
        return VersionHealth(alive, healthy, {"web": address}, "fake", manager)

    def stop(self, app: str, version: str, grace: float) -> None:
        self.calls.append(f"stop {version}")
        self.stopped.append(version)


class FakeWarmer:
    """Warm-up requests that warm the fake front's cold versions; paths in `failing` answer 500."""

    def __init__(self, front: FakeFront, deployer: FakeDeployer) -> None:
        self.front = front
        self.deployer = deployer
        self.failing: set[str] = set()
        self.sent: list[Target] = []

    def warm(self, targets: list[Target], rounds: int) -> WarmupResult:
        result = WarmupResult()
        for _ in range(rounds):
            for t in targets:
                self.sent.append(t)
                result.requests += 1
                version = self.deployer.version_at(t.address)
                self.front.cold[version] = max(0, self.front.cold.get(version, 0) - 1)
                if t.path in self.failing:
                    result.failures.append(f"GET {t.path} on {t.listener} ({t.address}): 500 Internal Server Error")
        return result
