"""Run each variant in turn: start, warm up, measure every offered rate, probe its max, stop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from apps.boutique_bench import pinning
from apps.boutique_bench.knee import Knee, find_knee
from apps.boutique_bench.measure import Point, idle_cores, measure
from apps.boutique_bench.variants import VARIANTS, Variant

Say = Callable[[str], None]


@dataclass
class Settings:
    """What to run (see `python -m apps.boutique_bench --help`)."""

    variants: list[str]
    rates: list[float]
    duration: float = 20.0
    warmup: float = 5.0
    drain: float = 10.0
    probe: bool = True
    probe_step: float = 5.0
    probe_factor: float = 1.5
    probe_max_steps: int = 10
    start_timeout: float = 120.0
    idle: float = 3.0
    seed: int = 1
    redis: str | None = None
    """host:port of the Redis every variant keeps its carts in (None: in memory)."""
    knee: bool = False
    """Also find each variant's knee with wrk (closed loop, doubling connections)."""
    knee_step: float = 5.0
    knee_max_connections: int = 256


@dataclass
class VariantResult:
    """Everything measured for one variant."""

    name: str
    label: str
    points: list[Point] = field(default_factory=list)
    probe: list[Point] = field(default_factory=list)
    max_rate: float | None = None
    max_rate_note: str = ""
    start_s: float = 0.0
    skipped: str = ""
    idle_cores: float = 0.0
    """CPU the variant's processes use with no load (health checks, timers, pollers)."""
    notes: list[str] = field(default_factory=list)
    knee: Knee | None = None


def run_variant(variant: Variant, s: Settings, place: pinning.Placement, say: Say) -> VariantResult:
    """Measure one variant; everything it started is stopped on return (or on any exception)."""
    res = VariantResult(variant.name, variant.label)
    t0 = time.monotonic()
    try:
        with pinning.spawning_app(place):
            variant.start(s.start_timeout)
        res.start_s = round(time.monotonic() - t0, 1)
        app, ctl = variant.processes()
        res.notes += pinning.pin_app(place, [*app, *ctl])
        say(f"  {variant.label}: healthy after {res.start_s}s ({len(app)} app + {len(ctl)} control processes)")
        if s.idle > 0:
            res.idle_cores = idle_cores(variant, s.idle)
            say(f"  {variant.name} idle: {res.idle_cores:.3f} cores")
        if s.warmup > 0:
            measure(variant, min(s.rates), s.warmup, seed=s.seed + 1000, drain=s.drain)
        for rate in s.rates:
            p = measure(variant, rate, s.duration, seed=s.seed, drain=s.drain)
            res.points.append(p)
            say(
                f"  {variant.name} @ {rate:g}/s: {p.rps} req/s, p50 {p.p50_ms} ms, p99 {p.p99_ms} ms, "
                f"{p.errors} errors, {p.cpu_us_per_req_app:.0f} us CPU/req (app), "
                f"{p.cpu_us_per_req_all:.0f} us (all){'' if p.kept_up else ', DID NOT KEEP UP'}"
            )
        if s.probe:
            _probe(variant, s, res, say)
        if s.knee:
            res.knee = find_knee(variant, s.knee_step, s.seed, s.knee_max_connections, say)
    finally:
        variant.stop()
    return res


def _probe(variant: Variant, s: Settings, res: VariantResult, say: Say) -> None:
    """Raise the rate by `probe_factor` per short step until the variant falls behind."""
    sustained = [p.offered_tasks_per_s for p in res.points if p.kept_up]
    if len(sustained) < len(res.points):  # already behind at a measured rate
        res.max_rate = max(sustained) if sustained else None
        res.max_rate_note = "fell behind at a measured rate"
        return
    rate = max(s.rates) * s.probe_factor
    for _ in range(s.probe_max_steps):
        p = measure(variant, rate, s.probe_step, seed=s.seed + 7, drain=2.0)
        res.probe.append(p)
        say(
            f"  {variant.name} probe @ {rate:.0f}/s: {p.rps} req/s, p50 {p.p50_ms} ms, p99 {p.p99_ms} ms, "
            f"kept up: {p.kept_up}, arrivals late by {p.loadgen_late_p99_ms} ms at p99"
        )
        if not p.kept_up:
            res.max_rate_note = "next step fell behind"
            if p.loadgen_behind:
                res.max_rate_note += " (load generator behind its schedule: a lower bound)"
            return
        res.max_rate = rate
        if p.loadgen_behind:
            res.max_rate_note = "load generator behind its schedule: a lower bound"
            return
        rate *= s.probe_factor
    res.max_rate_note = "probe ended (step limit): a lower bound"


def run_all(s: Settings, place: pinning.Placement, say: Say) -> list[VariantResult]:
    """Run every requested variant in turn; a variant that cannot start is reported, not fatal."""
    out = []
    for name in s.variants:
        variant = VARIANTS[name]()
        variant.redis = s.redis
        say(f"{variant.label}: starting")
        try:
            out.append(run_variant(variant, s, place, say))
        except (RuntimeError, TimeoutError, OSError) as e:
            say(f"  {variant.label}: FAILED: {e}")
            out.append(VariantResult(variant.name, variant.label, skipped=f"failed: {str(e).splitlines()[0]}"))
    return out
