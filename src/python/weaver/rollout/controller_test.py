"""The controller's state machine against fakes: steps, gate, drain, rollback, resume, abort."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaver.rollout.begin import AlreadyLive, begin
from weaver.rollout.controller import Controller
from weaver.rollout.fakes import Crash, FakeClock, FakeDeployer, FakeFront, FakeWarmer
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.state import Gate, Plan, RolloutState, load, save
from weaver.rollout.tables import Entry

A, B = "a" * 64, "b" * 64


class World:
    """A clock, a fake proxy and deployer, and an app whose version A serves all traffic."""

    def __init__(self, tmp: Path, crash_after: int | None = None) -> None:
        self.paths = AppPaths("hello", tmp)
        self.clock = FakeClock(crash_after=crash_after)
        self.front = FakeFront(self.clock)
        self.deployer = FakeDeployer(self.clock)
        self.warmer = FakeWarmer(self.front, self.deployer)

    def plan(self, gate: Gate | None = None, **kw: object) -> Plan:
        args: dict[str, object] = {"steps": [10, 50, 100], "step_s": 10.0, "drain_timeout_s": 20.0}
        args.update(kw)
        return Plan(**args, gate=gate or Gate(min_requests=10))  # type: ignore[arg-type]

    def rollout(self, version: str, plan: Plan | None = None) -> RolloutState:
        state = begin(
            "hello",
            version,
            f"/x/{version}.pex",
            {"web": "127.0.0.1:8080"},
            plan or self.plan(),
            load(self.paths.state),
            self.deployer,
            self.clock.now(),
        )
        save(self.paths.state, state)
        return state

    def controller(self, state: RolloutState | None = None) -> Controller:
        state = state or load(self.paths.state)
        assert state is not None
        return Controller(state, self.paths, self.front, self.deployer, self.clock, tick_s=1.0, warmer=self.warmer)

    def deploy_a(self) -> None:
        final = self.controller(self.rollout(A)).run()
        assert final.phase == "done" and final.live == A


def weights(table: dict[str, Entry]) -> dict[str, float]:
    return {v[:1]: e.weight for v, e in table.items()}


def test_first_deployment_takes_all_traffic(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    assert weights(w.front.table) == {"a": 100.0}
    assert w.deployer.calls == [f"start {A}"]


def test_steps_shift_traffic_then_old_drains_and_stops(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    final = w.controller(w.rollout(B)).run()
    assert final.phase == "done" and final.live == B and final.old == A
    seen = [weights(t) for t in w.front.applied]
    for expected in ({"a": 90, "b": 10}, {"a": 50, "b": 50}, {"a": 0, "b": 100}, {"b": 100}):
        assert expected in seen
    assert w.deployer.calls[-1] == f"stop {A}"
    assert final.running() == [B]
    assert load(w.paths.state) == final
    assert any("step 3/3 (100% to" in e.message for e in final.events)
    managers = {v[:1]: e.manager for t in w.front.applied for v, e in t.items()}
    assert managers == {"a": "127.0.0.1:10000", "b": "127.0.0.1:10001"}  # where the proxy ships each one's spans


def test_bad_version_is_rolled_back_on_error_ratio(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.front.bad[B] = 0.5
    final = w.controller(w.rollout(B)).run()
    assert final.phase == "rolled_back" and final.live == A
    assert final.reason is not None and "step 1/3" in final.reason and "errors 50.0%" in final.reason
    assert "vs old 0.0%" in final.reason and "p < 0.001" in final.reason
    assert (final.verdict or "").startswith("rolled back")
    assert weights(w.front.table) == {"a": 100.0}
    assert w.deployer.calls[-1] == f"stop {B}" and f"stop {A}" not in w.deployer.calls
    # judged mid-step, as soon as min_requests arrived: well before the 10 s step ended
    assert w.clock.now() - final.started < 10


def test_slow_version_is_rolled_back_on_latency(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.front.latency[B] = 0.5
    final = w.controller(w.rollout(B)).run()
    assert final.phase == "rolled_back" and final.reason is not None and "p50 480.8 ms vs old 5.3 ms" in final.reason
    assert "rank test p < 0.001" in final.reason


def test_gate_at_100_percent_compares_with_old_before_the_window(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    state = w.rollout(B)
    ctl = w.controller(state)
    while state.phase != "shifting" or state.step < 2:
        {"starting": ctl._start, "shifting": ctl._shift}[state.phase]()
    w.front.bad[B] = 0.2  # B starts failing once it has all traffic
    final = ctl.run()
    assert final.phase == "rolled_back" and "vs old 0.0%" in (final.reason or "")
    assert weights(w.front.table) == {"a": 100.0}


def test_unhealthy_version_is_rolled_back_after_start_timeout(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.deployer.never_healthy.add(B)
    final = w.controller(w.rollout(B, w.plan(start_timeout_s=5.0))).run()
    assert final.phase == "rolled_back" and "not healthy within 5.0s" in (final.reason or "")
    assert weights(w.front.table) == {"a": 100.0}


def test_drain_waits_for_pinned_sessions_until_timeout(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.front.pinned[A] = 5.0  # a pinned session keeps using A
    final = w.controller(w.rollout(B)).run()
    assert final.phase == "done"
    assert any("timed out" in e.message for e in final.events)
    drain_started = next(e.at for e in final.events if "step 3/3" in e.message)
    assert w.clock.now() - drain_started >= 20


def test_drain_ends_when_old_is_idle(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    final = w.controller(w.rollout(B)).run()
    assert any(e.message.endswith("drained") for e in final.events)


def test_crash_then_resume_finishes(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.rollout(B)
    w.clock.crash_after = w.clock.sleeps + 15  # dies in step 2
    with pytest.raises(Crash):
        w.controller().run()
    saved = load(w.paths.state)
    assert saved is not None and saved.phase == "shifting" and saved.step == 1
    assert weights(w.front.table) == {"a": 50.0, "b": 50.0}  # the proxy keeps the table
    w.clock.crash_after = None
    final = w.controller().resume()
    assert final.phase == "done" and final.live == B and w.deployer.calls.count(f"start {B}") == 1


def test_abort_restores_old(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.rollout(B)
    w.clock.crash_after = w.clock.sleeps + 15
    with pytest.raises(Crash):
        w.controller().run()
    w.clock.crash_after = None
    final = w.controller().abort()
    assert final.phase == "aborted" and final.live == A and final.running() == [A]
    assert weights(w.front.table) == {"a": 100.0}
    with pytest.raises(RolloutError, match="is aborted: nothing to abort"):
        w.controller().abort()
    with pytest.raises(RolloutError, match="nothing to resume"):
        w.controller().resume()


def test_abort_while_draining_restores_old(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    state = w.rollout(B)
    ctl = w.controller(state)
    while state.phase != "draining":
        {"starting": ctl._start, "shifting": ctl._shift}[state.phase]()
    final = w.controller(load(w.paths.state)).abort()
    assert final.phase == "aborted" and weights(w.front.table) == {"a": 100.0}
    assert not any(e.draining for e in w.front.table.values())


def test_begin_refuses_unfinished_and_already_live(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    with pytest.raises(AlreadyLive):
        w.rollout(A)
    w.rollout(B)
    with pytest.raises(RolloutError, match=r"unfinished \(phase starting\).*resume hello"):
        w.rollout("c" * 64)


def test_begin_without_running_old_is_first_deployment(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.deployer.stopped.append(A)
    state = w.rollout(B)
    assert state.old is None and "not running" in state.events[0].message


def test_warmup_requests_are_sent_and_first_requests_not_judged(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    gate = Gate(min_requests=10, warmup_requests=10, warmup_paths=["/", "web=/cart"], warmup_rounds=2)
    final = w.controller(w.rollout(B, w.plan(gate))).run()
    assert final.phase == "done" and final.verdict is not None and final.verdict.startswith("promoted: p99")
    assert [(t.listener, t.path) for t in w.warmer.sent] == [("web", "/"), ("web", "/cart")] * 2
    assert {w.deployer.version_at(t.address) for t in w.warmer.sent} == {B}
    messages = [e.message for e in final.events]
    assert any(m.startswith(f"warmed up {B[:12]}: 4 requests") for m in messages)
    assert any("the first 10 requests of" in m and "not judged for latency" in m for m in messages)


def test_failed_warmup_rolls_back_before_any_traffic(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    w.warmer.failing.add("/cart")
    final = w.controller(w.rollout(B, w.plan(Gate(warmup_paths=["/", "/cart"])))).run()
    assert final.phase == "rolled_back" and "warm-up of" in (final.reason or "")
    assert "3 of 6 requests failed (first: GET /cart on web" in (final.reason or "")
    assert all(B not in t for t in w.front.applied)  # never took traffic


def test_warmup_path_for_a_missing_listener_rolls_back(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.deploy_a()
    final = w.controller(w.rollout(B, w.plan(Gate(warmup_paths=["api=/"])))).run()
    assert final.phase == "rolled_back" and "the app has no listener 'api'" in (final.reason or "")


def test_step_holds_for_min_samples_then_passes(tmp_path: Path) -> None:
    w = World(tmp_path)
    w.front.rate = 2.0  # 0.2 requests/s reach B at 10%: 10 samples need about 50 s
    w.deploy_a()
    final = w.controller(w.rollout(B, w.plan(Gate(min_requests=10, warmup_requests=0)))).run()
    assert final.phase == "done"
    holds = [e for e in final.events if "step 1/3" in e.message and "holding: " in e.message]
    assert len(holds) == 1 and "of 10 samples (the step holds up to 5m" in holds[0].message
    passed = next(e for e in final.events if e.message.startswith("step 1/3") and "passed" in e.message)
    assert passed.at - final.started > 40


@pytest.mark.parametrize(("policy", "phase"), [("promote", "done"), ("rollback", "rolled_back")])
def test_hold_timeout_promotes_or_rolls_back_as_configured(tmp_path: Path, policy: str, phase: str) -> None:
    w = World(tmp_path)
    w.front.rate = 0.5
    w.deploy_a()
    gate = Gate(min_requests=1000, warmup_requests=0, hold_timeout_s=30)
    gate.on_hold_timeout = policy  # type: ignore[assignment]
    final = w.controller(w.rollout(B, w.plan(gate))).run()
    assert final.phase == phase
    assert any("unjudged: " in e.message and f"on_hold_timeout={policy}" in e.message for e in final.events)
