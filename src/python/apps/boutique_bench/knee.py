"""The knee: the most a variant serves, found with wrk and more and more connections.

Each step doubles wrk's connections (closed loop) and measures achieved requests/s, latency
and every app process's CPU. The search ends when two doublings in a row add less than 5%
(the variant is saturated), when a step has errors, or at `max_connections`. The knee is the
best error-free step; its rate per core divides by the cores the app used at that step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.boutique_bench import procstat, wrkload
from apps.boutique_bench.variants import Variant

GAIN = 1.05
"""A doubling that adds less than this factor does not count as progress."""


@dataclass
class KneeStep:
    """One wrk run at a number of connections."""

    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    app_cpu_s: float
    duration_s: float

    @property
    def app_cores(self) -> float:
        return self.app_cpu_s / self.duration_s if self.duration_s else 0.0

    @property
    def cpu_us_per_req(self) -> float:
        n = self.rps * self.duration_s
        return 1e6 * self.app_cpu_s / n if n else 0.0


@dataclass
class Knee:
    """The steps and the best error-free one."""

    steps: list[KneeStep] = field(default_factory=list)
    best: KneeStep | None = None
    note: str = ""

    @property
    def per_core(self) -> float | None:
        """Requests/s per core of app CPU at the knee."""
        b = self.best
        return b.rps / b.app_cores if b is not None and b.app_cores > 0 else None


def step(variant: Variant, connections: int, duration: float, seed: int) -> KneeStep:
    """One wrk run against `variant`, with the CPU its app processes used meanwhile."""
    app0, _ = variant.processes()
    before = procstat.cpu_seconds(app0)
    r = wrkload.run(variant.url, connections, duration, seed)
    app1, _ = variant.processes()
    after = procstat.cpu_seconds(app1)
    cpu = sum(c - before.get(pid, 0.0) for pid, c in after.items())
    return KneeStep(connections, r.rps, r.p50_ms, r.p99_ms, r.errors, round(cpu, 3), r.duration_s)


def find_knee(
    variant: Variant, duration: float, seed: int = 1, max_connections: int = 256, say: Callable[[str], None] = print
) -> Knee:
    """Double wrk's connections from 1 until `variant` saturates (see the module docstring)."""
    knee = Knee()
    stalled = 0
    c = 1
    while c <= max_connections:
        s = step(variant, c, duration, seed)
        knee.steps.append(s)
        say(
            f"  {variant.name} knee, {c} connections: {s.rps:.0f} req/s, p50 {s.p50_ms:.2f} ms, "
            f"p99 {s.p99_ms:.2f} ms, {s.app_cores:.2f} app cores, {s.cpu_us_per_req:.0f} us CPU/req"
            + (f", errors {s.errors}" if s.errors else "")
        )
        if s.errors:
            knee.note = f"errors at {c} connections"
            return knee
        if knee.best is None or s.rps >= knee.best.rps * GAIN:
            stalled = 0
        else:
            stalled += 1
        if knee.best is None or s.rps > knee.best.rps:
            knee.best = s
        if stalled >= 2:
            knee.note = f"saturated: two doublings added < {GAIN - 1:.0%}"
            return knee
        c *= 2
    knee.note = f"still rising at {max_connections} connections: a lower bound"
    return knee
