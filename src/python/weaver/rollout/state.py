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

from weaver.internal.files import atomic_write
from weaver.rollout.paths import RolloutError

Phase = Literal["starting", "shifting", "draining", "rolling_back", "done", "rolled_back", "aborted"]
TERMINAL: frozenset[str] = frozenset({"done", "rolled_back", "aborted"})
MAX_EVENTS = 200


class Gate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """When a new version is worse than the old one."""

    error_margin: float = 0.01
    """Roll back if new error ratio > old error ratio + this."""
    latency_margin: float = 1.5
    """Roll back if new p99 > old p99 * this (and by more than latency_slack_s)."""
    latency_slack_s: float = 0.01
    """Ignore p99 differences smaller than this (histogram buckets and noise on fast apps)."""
    min_requests: int = 20
    """Requests the new version must have served in a step before it is judged mid-step."""


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
    started: float = 0.0
    stopped: float | None = None


class Baseline(msgspec.Struct, forbid_unknown_fields=True):
    """The old version's figures over its last judged window (for steps where it has no traffic)."""

    requests: int
    error_ratio: float
    p99_us: float


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
    baseline: Baseline | None = None
    aborted: bool = False
    started: float = 0.0
    finished: float | None = None
    reason: str | None = None
    events: list[Event] = msgspec.field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.phase in TERMINAL

    def running(self) -> list[str]:
        """Versions started and not stopped."""
        return [v for v, d in self.versions.items() if d.stopped is None]

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
