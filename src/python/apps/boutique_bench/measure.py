"""One measured window: offer a rate with the load generator, count every app process's CPU."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from apps.boutique import loadgen
from apps.boutique_bench import procstat
from apps.boutique_bench.variants import Variant
from weaver.internal.loop import run as run_on_loop

KEPT_UP_SLACK_S = 0.5
"""A rate is sustained if the last task finished within this long after the last arrival."""
LOADGEN_LATE_MS = 1.0
"""The load generator fell behind if its 99th-percentile arrival started later than this."""


@dataclass
class Point:
    """What one variant achieved at one offered rate."""

    variant: str
    offered_tasks_per_s: float
    duration_s: float
    tasks_done: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    error_kinds: dict[str, int]
    app_cpu_s: float
    control_cpu_s: float
    app_processes: int
    control_processes: int
    loadgen_late_p99_ms: float
    """How late the load generator started its arrivals (99th percentile): it polls while
    requests are in flight, so its CPU use says nothing; lateness says whether it kept up."""
    kept_up: bool
    notes: list[str] = field(default_factory=list)
    cpu_by_process: dict[str, float] = field(default_factory=dict)
    """CPU seconds over the window per process label (weaver replica, or gRPC service)."""

    @property
    def loadgen_behind(self) -> bool:
        """The generator could not offer the rate on time (a rate probe ends at a lower bound)."""
        return self.loadgen_late_p99_ms > LOADGEN_LATE_MS

    @property
    def cpu_us_per_req_app(self) -> float:
        return 1e6 * self.app_cpu_s / self.requests if self.requests else 0.0

    @property
    def cpu_us_per_req_all(self) -> float:
        return 1e6 * (self.app_cpu_s + self.control_cpu_s) / self.requests if self.requests else 0.0

    @property
    def app_cores(self) -> float:
        return self.app_cpu_s / self.duration_s if self.duration_s else 0.0


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between the snapshots; processes started meanwhile count in full."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def run_loadgen(url: str, rate: float, duration: float, seed: int | None, drain: float) -> loadgen.Report:
    """Run the load generator on a fresh uvloop loop in this thread."""
    return run_on_loop(loadgen.run(url, rate, duration, seed=seed, drain=drain))


def _by_label(before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pid, cpu in after.items():
        name = procstat.label(pid)
        out[name] = round(out.get(name, 0.0) + cpu - before.get(pid, 0.0), 3)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def idle_cores(variant: Variant, seconds: float) -> float:
    """CPU (in cores) all the variant's processes use with no load at all."""
    app, ctl = variant.processes()
    before = procstat.cpu_seconds([*app, *ctl])
    t0 = time.perf_counter()
    time.sleep(seconds)
    after = procstat.cpu_seconds([*app, *ctl])
    return round(_delta(before, after) / (time.perf_counter() - t0), 4)


def measure(variant: Variant, rate: float, duration: float, seed: int | None = 1, drain: float = 10.0) -> Point:
    """Offer `rate` tasks/s for `duration` s; CPU of the variant's processes over that window."""
    app0, ctl0 = variant.processes()
    before = procstat.cpu_seconds([*app0, *ctl0])
    report = run_loadgen(variant.url, rate, duration, seed, drain)
    app1, ctl1 = variant.processes()
    after_app, after_ctl = procstat.cpu_seconds(app1), procstat.cpu_seconds(ctl1)
    notes = []
    gone = set(app0) | set(ctl0)
    gone -= set(app1) | set(ctl1)
    if gone:
        notes.append(f"{len(gone)} process(es) exited during the window (their CPU is not counted)")
    n_errors = max(sum(report.errors.values()), report.tasks_failed) + report.dropped
    kept_up = n_errors == 0 and report.duration_s <= duration + KEPT_UP_SLACK_S
    return Point(
        variant=variant.name,
        offered_tasks_per_s=rate,
        duration_s=report.duration_s,
        tasks_done=report.tasks_done,
        requests=report.requests,
        rps=report.rps,
        p50_ms=report.p50_ms,
        p99_ms=report.p99_ms,
        errors=n_errors,
        error_kinds=dict(report.errors),
        app_cpu_s=round(_delta(before, after_app), 3),
        control_cpu_s=round(_delta(before, after_ctl), 3),
        app_processes=len(app1),
        control_processes=len(ctl1),
        loadgen_late_p99_ms=report.late_p99_ms,
        kept_up=kept_up,
        notes=notes,
        cpu_by_process=_by_label(before, {**after_app, **after_ctl}),
    )
