"""The progress display renders both ways without a terminal."""

from __future__ import annotations

import io

from weaver.proxy.stats import Snapshot, VersionStats
from weaver.rollout.display import Display, headline, rows
from weaver.rollout.state import Deployed, Plan, RolloutState

A, B = "a" * 64, "b" * 64


def state() -> RolloutState:
    s = RolloutState(app="hello", new=B, old=A, phase="shifting", plan=Plan(steps=[25, 100], step_s=10), step=0)
    s.versions = {v: Deployed(version=v, pex="") for v in (A, B)}
    s.weights = {A: 75.0, B: 25.0}
    s.phase_started = 100.0
    return s


def window() -> Snapshot:
    return Snapshot(0.0, {B: VersionStats(requests=10, status_5xx=1, p50_us=1500, p99_us=9000)})


def test_rows_and_headline() -> None:
    assert headline(state(), 104.0) == f"hello: step 1/2 (25% to {B[:12]}) 4.0s of 10.0s"
    holding = state()
    holding.verdict = "holding: 12 of 30 samples"
    assert headline(holding, 104.0).endswith("10.0s | gate: holding: 12 of 30 samples")
    assert rows(state(), window(), {B: 2.5}) == [
        [A[:12], "old", "75%", "0.0", "0", "0.00%", "0.0ms", "0.0ms"],
        [B[:12], "new", "25%", "2.5", "10", "10.00%", "1.5ms", "9.0ms"],
    ]


def test_plain_and_live_output() -> None:
    out = io.StringIO()
    d = Display(out, live=False)
    d.tick(state(), window(), {})
    d.event("step passed")
    assert "hello: step 1/2" in out.getvalue() and "step passed" in out.getvalue()
    out = io.StringIO()
    d = Display(out, live=True)
    d.tick(state(), window(), {})
    d.event("rolled back")
    d.close()
    assert "rolled back" in out.getvalue() and "10.00%" in out.getvalue()
