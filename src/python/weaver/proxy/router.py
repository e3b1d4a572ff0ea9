"""Choosing the version of a request: honour a live pin, else draw by weight.

A `Router` is compiled from one `Table` and never changes; `Proxy.set_table` swaps in a new
one, so a request in flight keeps the route it was given.
"""

from __future__ import annotations

import bisect
import itertools
import random

from weaver.internal.address import parse_address
from weaver.proxy.table import VERSION_ID, Table

Address = tuple[str, int]


class Route:
    """Where one request goes: a version, its backends in the order to try them. Shared
    between requests (treat as read-only)."""

    __slots__ = ("version", "backends", "pinned", "repinned_from")

    def __init__(self, version: str, backends: list[Address], pinned: bool, repinned_from: str | None) -> None:
        self.version = version
        self.backends = backends
        self.pinned = pinned
        self.repinned_from = repinned_from


class _Entry:
    __slots__ = ("version", "backends", "counter", "pinned", "drawn")

    def __init__(self, version: str, backends: list[Address]) -> None:
        self.version = version
        self.backends = backends
        self.counter = itertools.count()
        self.pinned = Route(version, backends, True, None)  # reused when there is no rotation
        self.drawn = Route(version, backends, False, None)

    def rotation(self) -> list[Address]:
        """The backends, starting at the next one in round-robin order."""
        n = len(self.backends)
        if n <= 1:
            return self.backends
        i = next(self.counter) % n
        return self.backends[i:] + self.backends[:i]


class Router:
    """The routing decision for one table."""

    def __init__(self, table: Table, rng: random.Random | None = None) -> None:
        self.table = table
        self._rng = rng or random.Random()
        self._entries = {
            vid: _Entry(vid, [parse_address(a, what="backend address") for a in v.backends])
            for vid, v in table.versions.items()
        }
        self._ids: list[str] = []
        self._cumulative: list[float] = []
        total = 0.0
        for vid, v in sorted(table.versions.items()):
            if v.weight > 0 and not v.draining:
                total += v.weight
                self._ids.append(vid)
                self._cumulative.append(total)
        self._total = total

    def route(self, pin: str | None) -> Route | None:
        """The route for a request pinned to `pin` (or None); None if no version takes traffic.

        A pin to a version in the table is honoured even at weight 0 or draining. A pin to a
        version not in the table (stopped, or never existed) is re-pinned by weight, and the
        route says so in `repinned_from`.
        """
        repinned_from = None
        if pin is not None:
            entry = self._entries.get(pin)
            if entry is not None:
                return entry.pinned if len(entry.backends) <= 1 else Route(pin, entry.rotation(), True, None)
            repinned_from = pin if VERSION_ID.match(pin) else "invalid"
        if self._total <= 0:
            return None
        x = self._rng.random() * self._total
        i = min(bisect.bisect_right(self._cumulative, x), len(self._ids) - 1)
        entry = self._entries[self._ids[i]]
        if len(entry.backends) <= 1 and repinned_from is None:
            return entry.drawn
        return Route(entry.version, entry.rotation(), False, repinned_from)

    def addresses(self) -> set[tuple[str, Address]]:
        """(version, backend) pairs of this table, to prune idle pooled connections."""
        return {(vid, a) for vid, e in self._entries.items() for a in e.backends}
