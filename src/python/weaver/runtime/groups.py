"""Placement for multiprocess deployments: colocation groups and their replica counts.

`[weaver] colocate = [["a.B", "a.C"], ...]` puts components in one group (one process per
replica); every other component gets a group of its own. `[multi]` sets replication:
`replicas = N` for every group and `group_replicas = {"<component>" = N}` for the group holding
that component. Errors name the config section and the offending entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from weaver import config as configmod
from weaver.internal.registry import MAIN
from weaver.runtime.describe import AppInfo

MAX_REPLICAS = 64


class MultiOptions(msgspec.Struct, kw_only=True):
    """The `[multi]` section."""

    replicas: int = 2
    group_replicas: dict[str, int] = {}
    listeners: dict[str, str] = {}
    """Listener name -> `host:port` its replicas share (overrides `[weaver.listeners]`)."""
    health_interval: float = 1.0
    health_timeout: float = 5.0
    """A replica that answers no health check for this long is killed (and restarted)."""
    grace: float = 5.0
    """Seconds calls in flight get to finish when the deployment stops."""


@dataclass
class Group:
    """Components that share a process; `replicas` processes run it."""

    name: str
    components: list[str]
    replicas: int
    listeners: list[str] = field(default_factory=list)

    @property
    def has_main(self) -> bool:
        return MAIN in self.components


def multi_options(config: Mapping[str, Any]) -> MultiOptions:
    opts: MultiOptions = configmod.decode(config, "multi", MultiOptions)
    for what, n in [("replicas", opts.replicas), *((f"group_replicas.{k}", v) for k, v in opts.group_replicas.items())]:
        if not 1 <= n <= MAX_REPLICAS:
            raise configmod.ConfigError(f"config [multi]: {what} = {n} is out of range 1..{MAX_REPLICAS}")
    for what, x in (("health_interval", opts.health_interval), ("health_timeout", opts.health_timeout)):
        if x <= 0:
            raise configmod.ConfigError(f"config [multi]: {what} must be > 0, got {x}")
    return opts


def colocation(config: Mapping[str, Any]) -> list[list[str]]:
    """`[weaver] colocate`, checked for shape."""
    raw = config.get("weaver", {}).get("colocate", []) if isinstance(config.get("weaver"), Mapping) else []
    if not isinstance(raw, list) or not all(isinstance(g, list) and all(isinstance(c, str) for c in g) for g in raw):
        raise configmod.ConfigError(
            'config [weaver]: colocate must be a list of lists of component names, e.g. [["a.B", "a.C"]]'
        )
    return raw


def plan(info: AppInfo, config: Mapping[str, Any], replicas: int | None = None) -> list[Group]:
    """The groups of `info`'s components (colocated ones together, the rest alone)."""
    opts = multi_options(config)
    known = set(info.components)
    placed: dict[str, int] = {}
    lists: list[list[str]] = []
    for i, names in enumerate(colocation(config)):
        for name in names:
            if name not in known:
                raise configmod.ConfigError(
                    f"config [weaver] colocate[{i}]: unknown component {name!r} "
                    f"(the app has: {', '.join(sorted(known))})"
                )
            if name in placed:
                raise configmod.ConfigError(
                    f"config [weaver] colocate[{i}]: {name!r} is already in colocate[{placed[name]}]"
                )
            placed[name] = i
        if names:
            lists.append(sorted(set(names)))
    lists += [[name] for name in sorted(known - set(placed))]
    unknown = set(opts.group_replicas) - known
    if unknown:
        raise configmod.ConfigError(f"config [multi] group_replicas: unknown component {sorted(unknown)[0]!r}")
    groups = []
    for comps in lists:
        n = replicas or opts.replicas
        for c in comps:
            n = opts.group_replicas.get(c, n)
        listeners = sorted({ln for c in comps for ln in info.components[c].listeners})
        groups.append(Group(_name(comps), comps, n, listeners))
    names = [g.name for g in groups]
    if len(set(names)) != len(names):  # short names collide: use full names
        for g in groups:
            g.name = "+".join(g.components)
    return groups


def _name(components: list[str]) -> str:
    return "+".join(c.rsplit(".", 1)[-1] for c in components)
