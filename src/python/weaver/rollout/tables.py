"""The traffic tables a rollout state implies, one per public listener.

The controller and a restarted proxy process derive them the same way, so a proxy that comes
back after a crash serves what the saved state says without waiting for a controller.
"""

from __future__ import annotations

from dataclasses import dataclass

from weaver.proxy.table import Table, Version
from weaver.rollout.state import RolloutState


@dataclass(frozen=True)
class Entry:
    """One version's row in every listener's traffic table."""

    weight: float
    backends: dict[str, str]
    """Listener name -> the version's private address on that listener."""
    draining: bool = False
    manager: str = ""
    """The version's manager (`host:port`), where the proxy ships its spans and access log."""


def entries(state: RolloutState) -> dict[str, Entry]:
    """Versions in the table: those with a weight that still run."""
    out = {}
    for version, weight in state.weights.items():
        deployed = state.versions.get(version)
        if deployed is None or deployed.stopped is not None:
            continue
        out[version] = Entry(weight, dict(deployed.backends), version in state.draining, deployed.manager)
    return out


def listener_tables(table: dict[str, Entry], listeners: list[str]) -> dict[str, Table]:
    """Listener name -> its proxy's table (a version without that listener has no backends)."""
    return {
        name: Table(
            {
                v: Version(e.weight, [e.backends[name]] if name in e.backends else [], e.draining, e.manager)
                for v, e in table.items()
            }
        )
        for name in listeners
    }
