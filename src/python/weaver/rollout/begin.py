"""A new rollout's initial state, from the previous rollout's state and what still runs.

The old version is the previous rollout's `live` one, if its deployment still runs; without
one, the rollout is a plain first deployment. An unfinished previous rollout is refused (it
must be resumed or aborted first).
"""

from __future__ import annotations

from weaver.rollout.interfaces import Deployer
from weaver.rollout.paths import RolloutError
from weaver.rollout.state import Deployed, Plan, RolloutState


class AlreadyLive(Exception):
    """The version to roll out already has all the traffic."""


def begin(
    app: str,
    version: str,
    pex: str,
    listeners: dict[str, str],
    plan: Plan,
    previous: RolloutState | None,
    deployer: Deployer,
    now: float,
) -> RolloutState:
    """The state of a rollout of `version`, in phase `starting`."""
    if previous is not None and not previous.over:
        step = f", step {previous.step + 1}/{len(previous.plan.steps)}" if previous.phase == "shifting" else ""
        raise RolloutError(
            f"a rollout of {app} to {previous.new[:12]} is unfinished (phase {previous.phase}{step}) and no "
            f"controller runs it: `weaver rollout resume {app}` or `weaver rollout abort {app}` first"
        )
    state = RolloutState(app=app, new=version, old=None, phase="starting", plan=plan, started=now, phase_started=now)
    state.listeners = dict(listeners)
    old = previous.live if previous else None
    if old == version:
        raise AlreadyLive(f"version {version[:12]} of {app} already has all traffic")
    if previous is not None and old is not None:
        status = deployer.status(app, old)
        if status is not None and status.alive and old in previous.versions:
            state.old = old
            state.versions[old] = previous.versions[old]
            state.weights = {old: 100.0}
            state.listeners = {**previous.listeners, **listeners}
        else:
            state.note(f"previous version {old[:12]} is not running: this is a first deployment", now)
    state.versions[version] = Deployed(version=version, pex=pex, started=now)
    state.note(
        f"rollout of {version[:12]} "
        + (f"from {state.old[:12]}" if state.old else "(first deployment)")
        + f": steps {','.join(f'{p:g}' for p in plan.steps)}, {plan.step_s:g}s each",
        now,
    )
    return state
