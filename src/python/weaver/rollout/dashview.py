"""The rollout as the dashboard shows it: `RolloutView` from the saved state, written beside it.

The controller calls `write` on every save and every gate tick, so the managers' dashboards
(which read the file, weaver.dashboard.rollout) follow the rollout tick by tick, and keep showing
the last one. It is a display copy of state.json: replaced atomically (a reader sees the old or
the new file) but not fsynced, since after a crash the next save writes it again.
"""

from __future__ import annotations

import os

import msgspec

from weaver.dashboard.rollout import RolloutView, view_file
from weaver.rollout.paths import AppPaths
from weaver.rollout.state import RolloutState


def view(state: RolloutState) -> RolloutView:
    """What the dashboard shows of `state`."""
    return RolloutView(
        app=state.app,
        old=state.old,
        new=state.new,
        phase=state.phase,
        step=state.step,
        steps=list(state.plan.steps),
        weights=dict(state.weights),
        verdict=state.verdict,
        reason=state.reason,
        started=state.started,
        finished=state.finished,
        points=list(state.points),
    )


def write(paths: AppPaths, state: RolloutState) -> None:
    """Publish `state`'s view for the dashboards (atomically)."""
    path = view_file(paths.state_root, paths.app)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(msgspec.json.encode(view(state)))
    os.replace(tmp, path)
