"""The health gate: is the new version worse than the old one, over the same judged window?

Inputs are `weaver.proxy.VersionStats` windows (counter diffs): for errors, from the new version's
first proxied request to now; for latency, from the end of its warm-up (cold starts are slow, not
broken). Evidence adds up over the steps; each step still needs `min_requests` judged samples of
its own before it may pass. The verdicts:
- errors: Fisher's exact test of the new version's error ratio against the reference's (or, with no
  reference, an exact binomial test against `error_floor`); worse when significant at the gate's
  confidence AND the ratios differ by more than the floor. Mid-step, only errors are judged, at
  alpha / EARLY, so looking every tick does not add up to false rollbacks.
- latency, at the step's end only: a Mann-Whitney rank test (is new slower overall?) and a tail
  test (do more of new's requests land above the reference's p99 than 1%?), each at alpha / 2;
  worse when significant AND the p50 (resp. p99) differs by more than `latency_floor_s`.
- too few samples at the step's end: hold, up to `hold_timeout_s`, then `on_hold_timeout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from weaver.proxy.stats import VersionStats, bucket_top_us, quantile_us
from weaver.rollout.state import Gate
from weaver.rollout.stats_tests import binomial_greater, fisher_greater, mann_whitney_greater

Decision = Literal["wait", "hold", "pass", "rollback"]

EARLY = 100
"""Mid-step rollbacks need p < alpha / EARLY: a window is looked at every tick."""


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str


@dataclass(frozen=True)
class Reference:
    """What the new version is compared with: the old version's figures, and what they cover."""

    stats: VersionStats
    label: str = "old"


@dataclass(frozen=True)
class Window:
    """The new version's figures over a window, and the reference over the same window."""

    new: VersionStats
    ref: Reference | None


def _errors(s: VersionStats) -> int:
    return s.status_5xx + s.proxy_errors


def _ratio(s: VersionStats) -> str:
    return f"{s.error_rate():.1%} ({_errors(s)}/{s.requests})"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _ms(us: float) -> str:
    return f"{us / 1000:.1f} ms"


def errors_worse(new: VersionStats, ref: Reference | None, gate: Gate, alpha: float) -> str | None:
    """Why the new version's errors are worse, or None."""
    if new.requests == 0:
        return None
    if ref is not None and ref.stats.requests > 0:
        r = ref.stats
        p = fisher_greater(_errors(new), new.requests, _errors(r), r.requests)
        if p < alpha and new.error_rate() - r.error_rate() > gate.error_floor:
            return f"errors {_ratio(new)} vs {ref.label} {_ratio(r)}, {_p(p)}"
        return None
    p = binomial_greater(_errors(new), new.requests, gate.error_floor)
    if p < alpha:
        return f"errors {_ratio(new)} vs floor {gate.error_floor:.1%} (no old traffic to compare), {_p(p)}"
    return None


def _bucket_at(hist: dict[int, int], q: float) -> int:
    """The bucket holding the q-quantile of a non-empty sparse histogram."""
    total, seen = sum(hist.values()), 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= q * total:
            return b
    return max(hist)


def latency_worse(new: VersionStats, ref: Reference, gate: Gate, alpha: float) -> str | None:
    """Why the new version is slower (median shift or a heavier tail), or None."""
    floor_us = gate.latency_floor_s * 1e6
    r = ref.stats
    _, p_rank = mann_whitney_greater(new.latency, r.latency)
    new_p50, ref_p50 = quantile_us(new.latency, 0.5), quantile_us(r.latency, 0.5)
    if p_rank < alpha / 2 and new_p50 - ref_p50 > floor_us:
        return f"p50 {_ms(new_p50)} vs {ref.label} {_ms(ref_p50)}, rank test {_p(p_rank)}"
    edge = _bucket_at(r.latency, 0.99)
    new_above = sum(n for b, n in new.latency.items() if b > edge)
    ref_above = sum(n for b, n in r.latency.items() if b > edge)
    p_tail = fisher_greater(new_above, new.requests, ref_above, r.requests)
    new_p99, ref_p99 = quantile_us(new.latency, 0.99), quantile_us(r.latency, 0.99)
    if p_tail < alpha / 2 and new_p99 - ref_p99 > floor_us:
        return (
            f"p99 {_ms(new_p99)} vs {ref.label} {_ms(ref_p99)}: {new_above}/{new.requests} requests over "
            f"{_ms(bucket_top_us(edge))} vs {ref_above}/{r.requests}, {_p(p_tail)}"
        )
    return None


def hold(samples: int, gate: Gate, overdue: bool) -> Verdict:
    """Too few samples at the step's end: hold, or after the hold timeout, what the gate says."""
    if not overdue:
        return Verdict("hold", f"holding: {samples} of {gate.min_requests} samples")
    unjudged = f"unjudged: {samples} of {gate.min_requests} samples (on_hold_timeout={gate.on_hold_timeout})"
    return Verdict("pass" if gate.on_hold_timeout == "promote" else "rollback", unjudged)


def judge(
    errors: Window,
    latency: Window | None,
    gate: Gate,
    *,
    stage_samples: int,
    final: bool,
    overdue: bool = False,
    warming: str = "",
) -> Verdict:
    """The verdict on the new version: `errors` since it took traffic, `latency` since its warm-up
    ended (None while `warming`).

    `stage_samples`: judged requests of the new version in this step; `final`: the step's time is
    up; `overdue`: it has also held for hold_timeout_s."""
    alpha = gate.alpha
    worse = errors_worse(errors.new, errors.ref, gate, alpha if final else alpha / EARLY)
    if worse:
        return Verdict("rollback", worse)
    if latency is None:
        if not final:
            return Verdict("wait", warming)
        verdict = hold(0, gate, overdue)
        return Verdict("hold", f"holding: {warming}") if verdict.decision == "hold" else verdict
    if not final:
        return Verdict("wait", f"judging: {stage_samples} of {gate.min_requests} samples")
    if stage_samples < gate.min_requests:
        return hold(stage_samples, gate, overdue)
    ref = errors.ref
    error_text = f"errors {_ratio(errors.new)}" + (f" vs {ref.label} {_ratio(ref.stats)}" if ref else "")
    p99 = _ms(quantile_us(latency.new.latency, 0.99))
    confidence = f"not worse at {gate.confidence * 100:g}%"
    if latency.ref is None or latency.ref.stats.requests < gate.min_requests:
        unjudged = f"latency not judged: {latency.ref.stats.requests if latency.ref else 0} old requests to compare"
        return Verdict("pass", f"p99 {p99} ({unjudged}), {error_text}: {confidence}")
    worse = latency_worse(latency.new, latency.ref, gate, alpha)
    if worse:
        return Verdict("rollback", worse)
    ref_p99 = _ms(quantile_us(latency.ref.stats.latency, 0.99))
    return Verdict("pass", f"p99 {p99} vs {latency.ref.label} {ref_p99}, {error_text}: {confidence}")
