"""The health gate: is the new version worse than the old one over a window of proxy counters?

Inputs are `weaver.proxy.VersionStats` windows (counter diffs over the current step). The old
version's reference is its own window when it served enough requests, else the baseline kept
from its last such window (at 100% the old version serves only pinned sessions, if any).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from weaver.proxy.stats import VersionStats
from weaver.rollout.state import Baseline, Gate

Decision = Literal["ok", "wait", "rollback"]


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str


def baseline_of(window: VersionStats | None, gate: Gate) -> Baseline | None:
    """The old version's window as a baseline, if it has enough requests to be one."""
    if window is None or window.requests < gate.min_requests:
        return None
    return Baseline(window.requests, window.error_rate(), window.p99_us)


def judge(
    new: VersionStats | None,
    old: VersionStats | None,
    baseline: Baseline | None,
    gate: Gate,
    final: bool = False,
) -> Verdict:
    """Rollback, ok, or wait for more requests.

    Mid-step only errors are judged (a p99 over a few requests is mostly cold starts); `final`
    (the step's end) judges latency too, and a window under min_requests still on errors, so a
    failing version cannot pass on low traffic."""
    new = new or VersionStats()
    reference = baseline_of(old, gate) or baseline
    if new.requests < gate.min_requests and not (final and new.requests):
        if final:
            return Verdict("ok", "no requests to judge")
        return Verdict("wait", f"{new.requests}/{gate.min_requests} requests")
    errors = new.status_5xx + new.proxy_errors
    new_ratio = new.error_rate()
    ref_ratio = reference.error_ratio if reference else 0.0
    if new_ratio > ref_ratio + gate.error_margin:
        return Verdict(
            "rollback",
            f"error ratio {new_ratio:.2%} ({errors}/{new.requests} requests failed) > old {ref_ratio:.2%} "
            f"+ margin {gate.error_margin:.2%}",
        )
    if not final:
        return Verdict("ok", f"error ratio {new_ratio:.2%} vs {ref_ratio:.2%}")
    judged_latency = reference is not None and reference.p99_us > 0 and new.requests >= gate.min_requests
    if judged_latency and reference is not None:
        limit = reference.p99_us * gate.latency_margin
        if new.p99_us > limit and new.p99_us - reference.p99_us > gate.latency_slack_s * 1e6:
            return Verdict(
                "rollback",
                f"p99 {new.p99_us / 1000:.1f}ms > {gate.latency_margin:g} x old p99 {reference.p99_us / 1000:.1f}ms",
            )
    tail = "" if judged_latency else " (latency not judged)"
    return Verdict("ok", f"error ratio {new_ratio:.2%} vs {ref_ratio:.2%}, p99 {new.p99_us / 1000:.1f}ms{tail}")
