"""In-memory stand-ins for the proxy front, the deployer and the clock (controller unit tests).

FakeFront simulates traffic: at each snapshot, `rate` unpinned requests per second of fake time
are shared by weight among non-draining versions, plus `pinned[v]` per second to any version in
the table; each version fails `bad[v]` of its requests and answers in `latency[v]` seconds.
"""

from __future__ import annotations

from pathlib import Path

from weaver.proxy.stats import Snapshot, VersionStats, bucket_of, percentile_us
from weaver.rollout.ports import VersionHealth
from weaver.rollout.tables import Entry


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
    def __init__(self, clock: FakeClock, rate: float = 100.0) -> None:
        self.clock = clock
        self.rate = rate
        self.table: dict[str, Entry] = {}
        self.applied: list[dict[str, Entry]] = []
        self.bad: dict[str, float] = {}
        self.latency: dict[str, float] = {}
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
        errors = round(n * self.bad.get(v, 0.0))
        s.requests += n
        s.status_5xx += errors
        s.status_2xx += n - errors
        b = bucket_of(self.latency.get(v, 0.005))
        s.latency[b] = s.latency.get(b, 0) + n
        self.last_request[v] = now

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
        self.stopped: list[str] = []
        self.never_healthy: set[str] = set()
        self.calls: list[str] = []

    def run_already(self, version: str) -> None:
        self.started[version] = -1e9

    def start(self, app: str, version: str, pex: Path) -> None:
        self.calls.append(f"start {version}")
        self.started[version] = self.clock.now()

    def status(self, app: str, version: str) -> VersionHealth | None:
        if version not in self.started:
            return None
        alive = version not in self.stopped
        healthy = (
            alive
            and version not in self.never_healthy
            and self.clock.now() - self.started[version] >= self.healthy_after
        )
        return VersionHealth(alive, healthy, {"web": f"127.0.0.1:{9000 + len(version)}"}, "fake")

    def stop(self, app: str, version: str, grace: float) -> None:
        self.calls.append(f"stop {version}")
        self.stopped.append(version)
