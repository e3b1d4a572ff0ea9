"""The health gate: sample minimums, errors by Fisher's test, latency rank and tail tests, warm-up."""

from __future__ import annotations

from weaver.proxy.stats import VersionStats, bucket_of, percentile_us
from weaver.rollout.gate import EARLY, Reference, Verdict, Window, judge
from weaver.rollout.state import Gate
from weaver.rollout.stats_tests import fisher_greater


def stats(requests: int, errors: int = 0, ms: float = 5.0, tail: int = 0, tail_ms: float = 50.0) -> VersionStats:
    """`requests` answered in `ms`, `tail` of them in `tail_ms` instead."""
    s = VersionStats(requests=requests, status_5xx=errors, status_2xx=requests - errors)
    s.latency = {bucket_of(ms / 1000): requests - tail}
    if tail:
        s.latency[bucket_of(tail_ms / 1000)] = tail
    s.p50_us, s.p99_us = percentile_us(s.latency, 0.5), percentile_us(s.latency, 0.99)
    return s


GATE = Gate(min_requests=30)


def check(new: VersionStats, ref: Reference | None, gate: Gate, *, final: bool, overdue: bool = False) -> Verdict:
    """The gate on a window where every judged sample of the new version is from this step."""
    return judge(Window(new, ref), Window(new, ref), gate, stage_samples=new.requests, final=final, overdue=overdue)


OLD = Reference(stats(1000, 2))


def test_gate_holds_until_min_samples_then_obeys_on_hold_timeout() -> None:
    assert check(stats(12), OLD, GATE, final=False) == Verdict("wait", "judging: 12 of 30 samples")
    assert check(stats(12), OLD, GATE, final=True) == Verdict("hold", "holding: 12 of 30 samples")
    promoted = check(stats(12), OLD, GATE, final=True, overdue=True)
    assert promoted == Verdict("pass", "unjudged: 12 of 30 samples (on_hold_timeout=promote)")
    strict = Gate(min_requests=30, on_hold_timeout="rollback")
    assert check(stats(12), OLD, strict, final=True, overdue=True).decision == "rollback"
    # a failing version is rolled back on what it served, even under min_requests
    assert check(stats(12, 12), OLD, GATE, final=False).decision == "rollback"


def test_gate_errors_by_fisher_with_floor() -> None:
    verdict = check(stats(1000, 41), OLD, GATE, final=True)
    assert verdict == Verdict("rollback", "errors 4.1% (41/1000) vs old 0.2% (2/1000), p < 0.001")
    # significant but within the floor of 0.5%: ignored
    assert check(stats(10_000, 50), Reference(stats(10_000, 5)), GATE, final=True).decision == "pass"
    # as bad as the old one: not worse
    assert check(stats(1000, 40), Reference(stats(1000, 41)), GATE, final=True).decision == "pass"
    # mid-step the bar is alpha / EARLY: 3/100 vs 0/1000 is p ~ 0.0007, not enough yet
    assert fisher_greater(3, 100, 0, 1000) > GATE.alpha / EARLY
    assert check(stats(100, 3), Reference(stats(1000)), GATE, final=False).decision == "wait"
    assert check(stats(100, 3), Reference(stats(1000)), GATE, final=True).decision == "rollback"


def test_gate_errors_without_old_traffic_against_the_floor() -> None:
    verdict = check(stats(100, 5), None, GATE, final=True)
    assert verdict.decision == "rollback" and "vs floor 0.5% (no old traffic to compare)" in verdict.reason
    passed = check(stats(100, 1), None, GATE, final=True)
    assert passed.decision == "pass" and "latency not judged: 0 old requests" in passed.reason


def test_gate_latency_rank_test_and_floor() -> None:
    old = Reference(stats(200, ms=8.0))
    verdict = check(stats(100, ms=11.0), old, GATE, final=True)
    assert verdict == Verdict("rollback", "p50 10.6 ms vs old 7.5 ms, rank test p < 0.001")
    # 2x slower but under the 2 ms floor
    fast = Reference(stats(200, ms=0.5))
    assert check(stats(100, ms=1.0), fast, GATE, final=True).decision == "pass"
    # mid-step latency is not judged
    assert check(stats(100, ms=11.0), old, GATE, final=False).decision == "wait"


def test_gate_latency_tail_test() -> None:
    old = Reference(stats(1000, ms=8.0, tail=5, tail_ms=20.0))
    verdict = check(stats(300, ms=8.0, tail=15, tail_ms=40.0), old, GATE, final=True)
    over = "15/300 requests over 8.2 ms vs 5/1000, p < 0.001"
    assert verdict == Verdict("rollback", f"p99 44.8 ms vs old 8.2 ms: {over}")
    same = check(stats(300, ms=8.0, tail=2, tail_ms=20.0), old, GATE, final=True)
    assert same == Verdict(
        "pass", "p99 8.2 ms vs old 8.2 ms, errors 0.0% (0/300) vs old 0.0% (0/1000): not worse at 99%"
    )


def test_warming_up_judges_errors_only() -> None:
    window = Window(stats(8, 8), OLD)
    assert judge(window, None, GATE, stage_samples=0, final=False, warming="warming up").decision == "rollback"
    healthy = Window(stats(8), OLD)
    waiting = judge(healthy, None, GATE, stage_samples=0, final=False, warming="warming up")
    assert waiting == Verdict("wait", "warming up")
    held = judge(healthy, None, GATE, stage_samples=0, final=True, warming="warming up")
    assert held == Verdict("hold", "holding: warming up")
