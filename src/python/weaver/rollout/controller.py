"""The rollout state machine: start the new version, shift traffic in gated steps, drain, finish.

Every transition is saved before it takes effect in the proxy, and each phase re-applies the
table it implies when entered, so `run()` on a saved state (resume) continues where a dead
controller stopped. `abort()` turns any unfinished rollout into a rollback to the old version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from weaver.proxy.stats import Snapshot, VersionStats, diff
from weaver.rollout import dashview, schedule
from weaver.rollout.gate import Reference, Verdict, Window, judge
from weaver.rollout.interfaces import Clock, Deployer, Front, NullObserver, Observer, RealClock, Warmer
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.state import RolloutState, save
from weaver.rollout.tables import entries
from weaver.rollout.warmup import HttpWarmer, targets

log = logging.getLogger("weaver.rollout")


def short(version: str | None) -> str:
    """A version ID as people read it."""
    return "-" if version is None else version[:12]


class Controller:
    """Drives one app's rollout from its saved state to a terminal phase."""

    def __init__(
        self,
        state: RolloutState,
        paths: AppPaths,
        front: Front,
        deployer: Deployer,
        clock: Clock | None = None,
        observer: Observer | None = None,
        tick_s: float = 1.0,
        warmer: Warmer | None = None,
        store: Callable[[RolloutState], None] | None = None,
    ) -> None:
        self.state = state
        self.paths = paths
        self.front = front
        self.deployer = deployer
        self.clock = clock or RealClock()
        self.observer = observer or NullObserver()
        self.tick_s = tick_s
        self.warmer = warmer or HttpWarmer()
        self.store = store
        """Also called with every saved state (the Kubernetes deployer keeps it in the cluster)."""

    # -- plumbing ---------------------------------------------------------------------------
    def save(self) -> None:
        save(self.paths.state, self.state)
        if self.store is not None:
            self.store(self.state)
        dashview.write(self.paths, self.state)

    def record(self, message: str) -> None:
        """An event: kept in the state, logged and shown."""
        self.state.note(message, self.clock.now())
        log.info("%s: %s", self.state.app, message)
        self.observer.event(message)

    def apply(self) -> None:
        self.front.apply(entries(self.state))

    def enter(self, phase: str) -> None:
        self.state.phase = phase  # type: ignore[assignment]
        self.state.phase_started = self.clock.now()
        self.state.mark("phase", phase, {}, self.state.phase_started)

    def mark(self, verdict: Verdict, tick: dict[str, float]) -> None:
        """A point for the dashboard: this tick's split, rates and the gate's decision (shown at
        once; kept in state.json from its next save)."""
        warming = verdict.decision == "hold" and verdict.reason.startswith("holding: warming up")
        self.state.mark("warming" if warming else verdict.decision, verdict.reason, tick, self.clock.now())
        dashview.write(self.paths, self.state)

    # -- entry points -----------------------------------------------------------------------
    def run(self) -> RolloutState:
        """Run phases until the rollout is over; returns the final state."""
        handlers = {
            "starting": self._start,
            "shifting": self._shift,
            "draining": self._drain,
            "rolling_back": self._roll_back,
        }
        while not self.state.over:
            handlers[self.state.phase]()
        return self.state

    def resume(self) -> RolloutState:
        """Continue a saved rollout; a step in progress restarts its window."""
        if self.state.over:
            raise RolloutError(f"the rollout of {self.state.app} is {self.state.phase}: nothing to resume")
        if self.state.phase == "shifting":
            self.state.phase_started = self.clock.now()
        self.record(f"resumed in phase {self.state.phase}")
        self.save()
        return self.run()

    def abort(self) -> RolloutState:
        """Restore the old version (all traffic), stop the new one."""
        if self.state.over:
            raise RolloutError(f"the rollout of {self.state.app} is {self.state.phase}: nothing to abort")
        self.state.aborted = True
        self.state.reason = f"aborted by user in phase {self.state.phase}"
        self.record(self.state.reason)
        self.enter("rolling_back")
        self.save()
        return self.run()

    # -- phases -----------------------------------------------------------------------------
    def _start(self) -> None:
        s, plan = self.state, self.state.plan
        status = self.deployer.status(s.app, s.new)
        if status is None or not status.alive:
            self.deployer.start(s.app, s.new, Path(s.versions[s.new].pex))
            self.record(f"started version {short(s.new)}")
        deadline = s.phase_started + plan.start_timeout_s
        while not (status := self.deployer.status(s.app, s.new)) or not status.healthy:
            if self.clock.now() >= deadline:
                detail = status.detail if status else "no status.json"
                limit = schedule.format_duration(plan.start_timeout_s)
                return self._begin_rollback(f"version {short(s.new)} not healthy within {limit} ({detail})")
            self.clock.sleep(self.tick_s)
        missing = sorted(set(s.listeners) - set(status.listeners))
        if missing:
            return self._begin_rollback(f"version {short(s.new)} has no listener {', '.join(missing)}")
        s.versions[s.new].backends = {name: status.listeners[name] for name in s.listeners}
        s.versions[s.new].manager = status.manager
        self.record(f"version {short(s.new)} healthy")
        if s.old is None:
            s.weights = {s.new: 100.0}
            self._finish(f"first deployment: {short(s.new)} takes all traffic")
            return
        if not self._warm_up():
            return
        self.enter("shifting")
        s.step = 0
        s.weights = schedule.weights(s.plan.steps[0], s.old, s.new)
        self._mark_first_traffic(self.front.snapshot())
        self.save()

    def _warm_up(self) -> bool:
        """Send the gate's warm-up requests to the new version; False (rolling back) if one failed."""
        s, gate = self.state, self.state.plan.gate
        if not gate.warmup_paths:
            return True
        try:
            todo = targets(gate.warmup_paths, s.versions[s.new].backends)
        except RolloutError as e:
            self._begin_rollback(f"warm-up: {e}")
            return False
        result = self.warmer.warm(todo, gate.warmup_rounds)
        if result.failures:
            self._begin_rollback(
                f"warm-up of {short(s.new)}: {len(result.failures)} of {result.requests} requests failed "
                f"(first: {result.failures[0]})"
            )
            return False
        self.record(f"warmed up {short(s.new)}: {result.requests} requests in {result.elapsed_s * 1000:.0f} ms")
        return True

    def _mark_first_traffic(self, snap: Snapshot) -> None:
        """The new version takes proxied traffic from now: errors count, the warm-up begins."""
        s = self.state
        s.traffic_from = snap
        s.judged_from = snap if s.plan.gate.warmup_requests == 0 else None

    def _shift(self) -> None:
        s, plan = self.state, self.state.plan
        self.apply()
        pct = plan.steps[s.step]
        label = f"step {s.step + 1}/{len(plan.steps)} ({pct:g}% to {short(s.new)})"
        end = s.phase_started + plan.step_s
        overdue_at = end + plan.gate.hold_timeout_s
        base = prev = self.front.snapshot()
        if s.traffic_from is None:
            self._mark_first_traffic(base)
        elif restarted(base, s.traffic_from) or (s.judged_from and restarted(base, s.judged_from)):
            self._rebase(base)
        held = False
        while True:
            now = self.clock.now()
            self.clock.sleep(min(self.tick_s, end - now) if now < end else self.tick_s)
            snap = self.front.snapshot()
            if restarted(snap, base):
                base = prev = self._rebase(snap)
            tick = rates(snap, prev)
            self.observer.tick(s, diff(snap, base), tick)
            prev = snap
            now = self.clock.now()
            verdict = self._judge(snap, base, final=now >= end, overdue=now >= overdue_at)
            self.mark(verdict, tick)
            if verdict.decision == "rollback":
                return self._begin_rollback(f"{label}: {verdict.reason}")
            if verdict.decision == "pass":
                break
            if verdict.decision == "hold" and not held:
                held = True
                limit = schedule.format_duration(plan.gate.hold_timeout_s)
                self.record(f"{label} {verdict.reason} (the step holds up to {limit})")
            self._show(verdict.reason)
        last = s.step + 1 == len(plan.steps)
        self.record(f"{label} passed: {verdict.reason}")
        self._show(f"promoted: {verdict.reason}" if last else f"{label} passed: {verdict.reason}")
        if not last:
            s.step += 1
            s.phase_started = self.clock.now()
            s.weights = schedule.weights(plan.steps[s.step], s.old, s.new)
        else:
            self.enter("draining")
            s.draining = [s.old] if s.old else []
        self.save()

    def _show(self, verdict: str) -> None:
        """The gate's latest verdict, saved for `status` when it changes."""
        if verdict != self.state.verdict:
            self.state.verdict = verdict
            self.save()

    def _rebase(self, snap: Snapshot) -> Snapshot:
        """The proxy restarted (its counters went back): count from zero, keep a finished warm-up."""
        s = self.state
        zero = Snapshot(snap.taken_at, {})
        s.traffic_from = zero
        if s.judged_from is not None:
            s.judged_from = zero
        self.record("the proxy's counters were reset (proxy restarted): the gate's windows start again")
        return zero

    def _judge(self, snap: Snapshot, step_base: Snapshot, *, final: bool, overdue: bool) -> Verdict:
        """The gate: errors since the new version took traffic, latency since its warm-up ended;
        this step's samples (after the warm-up) count for the hold."""
        s, gate = self.state, self.state.plan.gate
        assert s.traffic_from is not None
        since_traffic = diff(snap, s.traffic_from)
        new = since_traffic.versions.get(s.new, VersionStats())
        errors = Window(new, self._reference(since_traffic, s.traffic_from))
        if s.judged_from is None:
            served = errors.new.requests
            if served < gate.warmup_requests:
                warming = f"warming up: {served} of {gate.warmup_requests} requests not judged for latency"
                return judge(errors, None, gate, stage_samples=0, final=final, overdue=overdue, warming=warming)
            s.judged_from = snap
            self.record(f"warm-up over: the first {served} requests of {short(s.new)} are not judged for latency")
            self.save()
        since_warm = diff(snap, s.judged_from)
        latency = Window(since_warm.versions.get(s.new, VersionStats()), self._reference(since_warm, s.judged_from))
        stage_base = s.judged_from if s.judged_from.taken_at > step_base.taken_at else step_base
        stage = diff(snap, stage_base).versions.get(s.new, VersionStats()).requests
        return judge(errors, latency, gate, stage_samples=stage, final=final, overdue=overdue)

    def _reference(self, window: Snapshot, base: Snapshot) -> Reference | None:
        """The old version over the same window, or (when it served too few requests there) its
        figures before the window."""
        s, gate = self.state, self.state.plan.gate
        if s.old is None:
            return None
        same = window.versions.get(s.old)
        if same is not None and same.requests >= gate.min_requests:
            return Reference(same)
        before = base.versions.get(s.old)
        if before is not None and before.requests >= gate.min_requests:
            return Reference(before, "old (before the window)")
        return Reference(same) if same is not None and same.requests else None

    def _drain(self) -> None:
        s, plan = self.state, self.state.plan
        self.apply()
        old = s.old or ""
        deadline = s.phase_started + plan.drain_timeout_s
        base = prev = self.front.snapshot()
        while True:
            snap = self.front.snapshot()
            self.observer.tick(s, diff(snap, base), rates(snap, prev))
            prev = snap
            o = snap.versions.get(old, VersionStats())
            idle = o.idle_s is None or o.idle_s >= plan.drain_idle_s
            if o.in_flight + o.tunnels == 0 and idle:
                self.record(f"version {short(old)} drained")
                break
            if self.clock.now() >= deadline:
                self.record(
                    f"drain of {short(old)} timed out after {schedule.format_duration(plan.drain_timeout_s)} "
                    f"({o.in_flight} in flight, last request {o.idle_s}s ago): pinned sessions move"
                )
                break
            self.clock.sleep(self.tick_s)
        self._retire(old)
        self._finish(f"version {short(s.new)} has all traffic")

    def _roll_back(self) -> None:
        s = self.state
        old_runs = s.old is not None and s.old in s.versions and s.versions[s.old].stopped is None
        s.weights = {s.old: 100.0} if old_runs and s.old else {}
        s.draining = []
        self.save()
        self.apply()
        self._retire(s.new)
        s.live = s.old if old_runs else None
        s.finished = self.clock.now()
        self.enter("aborted" if s.aborted else "rolled_back")
        self.record(f"rolled back to {short(s.live)}: {s.reason}")
        self.save()

    # -- transitions ------------------------------------------------------------------------
    def _begin_rollback(self, reason: str) -> None:
        self.state.reason = reason
        self.state.verdict = f"rolled back: {reason}"
        self.record(f"rolling back: {reason}")
        self.enter("rolling_back")
        self.save()

    def _finish(self, message: str) -> None:
        s = self.state
        s.live, s.finished = s.new, self.clock.now()
        self.enter("done")
        self.save()
        self.apply()
        self.record(message)
        self.save()

    def _retire(self, version: str) -> None:
        """Take `version` out of the table, let its requests in flight finish, stop it."""
        s = self.state
        s.weights.pop(version, None)
        if version in s.draining:
            s.draining.remove(version)
        self.save()
        self.apply()
        deadline = self.clock.now() + s.plan.stop_grace_s
        while self.front.snapshot().versions.get(version, VersionStats()).in_flight > 0:
            if self.clock.now() >= deadline:
                break
            self.clock.sleep(min(self.tick_s, 0.1))
        deployed = s.versions.get(version)
        if deployed is not None and deployed.stopped is None:
            if self.deployer.status(s.app, version) is not None:
                self.deployer.stop(s.app, version, s.plan.stop_grace_s)
            deployed.stopped = self.clock.now()
            self.record(f"stopped version {short(version)}")
        self.save()


def restarted(later: Snapshot, earlier: Snapshot) -> bool:
    """Whether counters went back between two snapshots (the proxy restarted in between)."""
    return any(st.requests < earlier.versions.get(v, VersionStats()).requests for v, st in later.versions.items()) or (
        bool(earlier.versions) and not later.versions
    )


def rates(later: Snapshot, earlier: Snapshot) -> dict[str, float]:
    """Requests per second of each version between two snapshots."""
    dt = later.taken_at - earlier.taken_at
    if dt <= 0:
        return {}
    window = diff(later, earlier)
    return {v: st.requests / dt for v, st in window.versions.items()}
