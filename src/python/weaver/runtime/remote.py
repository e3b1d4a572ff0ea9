"""The multiprocess `Placement`: hosted components are local, the others are `ReplicaSet`s.

Routing info from the envelope replaces the replica addresses of every remote component; a
ReplicaSet created before its component's replicas are known starts empty (its calls retry
until routing arrives, within their deadline or retry budget).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from weaver.internal.caller import Caller
from weaver.rpc import Identity, ReplicaSet


class RemotePlacement:
    """Places `hosted` here and every other component behind a ReplicaSet."""

    def __init__(
        self,
        hosted: Collection[str],
        identity: Identity,
        on_first_use: Callable[[str], None] | None = None,
    ) -> None:
        self.hosted = frozenset(hosted)
        self.identity = identity
        self.sets: dict[str, ReplicaSet] = {}
        self.routing: dict[str, list[str]] = {}
        self._on_first_use = on_first_use

    def caller(self, component: str) -> Caller | None:
        if component in self.hosted:
            return None
        rs = self.sets.get(component)
        if rs is None:
            rs = self.sets[component] = ReplicaSet(self.identity, self.routing.get(component, ()), component)
            if self._on_first_use is not None:
                self._on_first_use(component)
        return rs

    def update(self, routing: Mapping[str, list[str]]) -> None:
        """New routing info: replace the replica list of every remote component."""
        self.routing = {k: list(v) for k, v in routing.items() if k not in self.hosted}
        for component, rs in self.sets.items():
            rs.update(self.routing.get(component, ()))

    async def close(self) -> None:
        for rs in self.sets.values():
            await rs.close()
        self.sets.clear()
