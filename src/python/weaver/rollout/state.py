"""The persisted state of an app's rollout: `rollout/<app>/state.json`.

Written atomically after every transition, so a controller that dies leaves a state another
one (`weaver rollout resume|abort`) picks up. It says which versions run (with their backend
addresses), the weights in force, the step, and how the rollout started and ended.

Phases: starting -> shifting -> draining -> done, or -> rolling_back -> rolled_back | aborted.
`live` is the version that serves once the rollout is over (the next rollout's old version).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import msgspec

from weaver.dashboard.rollout import RolloutPoint
from weaver.internal.files import atomic_write
from weaver.proxy.stats import Snapshot
from weaver.rollout.paths import RolloutError

Phase = Literal["starting", "shifting", "draining", "rolling_back", "done", "rolled_back", "aborted"]
TERMINAL: frozenset[str] = frozenset({"done", "rolled_back", "aborted"})
MAX_EVENTS = 200
MAX_POINTS = 600
"""Gate ticks kept for the dashboard (10 minutes at one a second; the oldest go first)."""


class Gate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """When the new version is judged, and when it counts as worse than the old one.

    See docs/rollout-gates.md: warm-up, minimum samples, the tests and their floors."""

    min_requests: int = 30
    """Judged requests of the new version in a step before it may pass (it holds until then)."""
    warmup_requests: int = 10
    """The new version's first requests through the proxy are not judged (cold caches)."""
    warmup_paths: list[str] = msgspec.field(default_factory=list)
    """`[LISTENER=]/path` requests sent to the new version's own listener before it takes traffic."""
    warmup_rounds: int = 3
    """How many times each warm-up path is requested."""
    confidence: float = 0.99
    """A version is worse only if the one-sided test says so at this confidence."""
    error_floor: float = 0.005
    """Error-ratio differences smaller than this are ignored."""
    latency_floor_s: float = 0.002
    """Latency differences (p50 or p99) smaller than this are ignored."""
    hold_timeout_s: float = 300.0
    """How long a step may hold past its end waiting for min_requests."""
    on_hold_timeout: Literal["promote", "rollback"] = "promote"
    """What a step that never got min_requests does when the hold times out."""

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence


class Plan(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How the traffic moves: the new version's percentage per step, each for step_s seconds."""

    steps: list[float]
    step_s: float
    drain_timeout_s: float = 60.0
    drain_idle_s: float = 2.0
    """The old version is drained once no request reached it for this long."""
    start_timeout_s: float = 120.0
    stop_grace_s: float = 5.0
    gate: Gate = msgspec.field(default_factory=Gate)


class Deployed(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One version under the multiprocess deployer."""

    version: str
    pex: str
    backends: dict[str, str] = msgspec.field(default_factory=dict)
    """Listener name -> the version's private listener address."""
    manager: str = ""
    """Its manager's endpoint (`host:port`: /metrics, /dashboard, /ingest); "" if unknown."""
    started: float = 0.0
    stopped: float | None = None


class Event(msgspec.Struct, forbid_unknown_fields=True):
    at: float
    message: str


class RolloutState(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One rollout of `app` from `old` (None: first deployment) to `new`."""

    app: str
    new: str
    old: str | None
    phase: Phase
    plan: Plan
    listeners: dict[str, str] = msgspec.field(default_factory=dict)
    """Listener name -> public address (the proxy's)."""
    step: int = -1
    """Index in plan.steps of the step in force; -1 before shifting."""
    phase_started: float = 0.0
    """When the phase (or, while shifting, the step) began."""
    weights: dict[str, float] = msgspec.field(default_factory=dict)
    draining: list[str] = msgspec.field(default_factory=list)
    versions: dict[str, Deployed] = msgspec.field(default_factory=dict)
    live: str | None = None
    traffic_from: Snapshot | None = None
    """Counters when the new version first took proxied traffic: its errors count from here."""
    judged_from: Snapshot | None = None
    """Counters when the warm-up ended: its latency counts from here."""
    verdict: str | None = None
    """The gate's latest verdict, as people read it ("holding: 12 of 30 samples", ...)."""
    aborted: bool = False
    started: float = 0.0
    finished: float | None = None
    reason: str | None = None
    events: list[Event] = msgspec.field(default_factory=list)
    points: list[RolloutPoint] = msgspec.field(default_factory=list)
    """The split, rates and the gate's decision at each tick, for the dashboard (bounded)."""

    @property
    def over(self) -> bool:
        return self.phase in TERMINAL

    def running(self) -> list[str]:
        """Versions started and not stopped."""
        return [v for v, d in self.versions.items() if d.stopped is None]

    def mark(self, decision: str, reason: str, rates: dict[str, float], now: float) -> None:
        """Append a point: the weights in force now, each version's requests/s, the decision."""
        point = RolloutPoint(
            at=now, step=self.step, weights=dict(self.weights), rates=dict(rates), decision=decision, reason=reason
        )
        self.points.append(point)
        del self.points[:-MAX_POINTS]

    def note(self, message: str, now: float | None = None) -> None:
        """Append an event (bounded history)."""
        self.events.append(Event(time.time() if now is None else now, message))
        del self.events[:-MAX_EVENTS]


def load(path: Path) -> RolloutState | None:
    """The state at `path`, None if there is none; RolloutError naming the file if corrupt."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise RolloutError(f"cannot read rollout state {path}: {e.strerror}") from None
    try:
        return msgspec.json.decode(data, type=RolloutState)
    except msgspec.DecodeError as e:
        raise RolloutError(
            f"corrupt rollout state {path}: {e} (fix or remove the file; running versions are listed "
            "by `weaver multi status`)"
        ) from None


def save(path: Path, state: RolloutState) -> None:
    """Write the state atomically."""
    atomic_write(path, msgspec.json.format(msgspec.json.encode(state), indent=2) + b"\n")
