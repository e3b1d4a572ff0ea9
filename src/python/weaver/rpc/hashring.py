"""A stable assignment of the u64 shard space to replicas (consistent hashing).

Each replica owns `VNODES` points on a ring of u64s; a shard goes to the owner of the first
point at or after it. Adding or removing one of N replicas moves only about 1/N of the keys,
and every process computes the same assignment from the same replica list.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Iterator

VNODES = 64


def _point(name: str, i: int) -> int:
    digest = hashlib.blake2b(f"{name}#{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class HashRing:
    """Maps shards to replica names; immutable, rebuild it when the replica set changes."""

    __slots__ = ("_owners", "_points", "names")

    def __init__(self, names: Iterable[str], vnodes: int = VNODES) -> None:
        self.names = sorted(set(names))
        pairs = sorted((_point(n, i), n) for n in self.names for i in range(vnodes))
        self._points = [p for p, _ in pairs]
        self._owners = [n for _, n in pairs]

    def __len__(self) -> int:
        return len(self.names)

    def owner(self, shard: int) -> str:
        """The replica that owns `shard`. Raises LookupError on an empty ring."""
        if not self._points:
            raise LookupError("no replicas")
        i = bisect.bisect_left(self._points, shard)
        return self._owners[i if i < len(self._owners) else 0]

    def successors(self, shard: int) -> Iterator[str]:
        """Distinct replicas in ring order from `shard`'s owner (fallbacks if it is down)."""
        n = len(self._points)
        if not n:
            return
        start = bisect.bisect_left(self._points, shard)
        seen: set[str] = set()
        for j in range(n):
            name = self._owners[(start + j) % n]
            if name not in seen:
                seen.add(name)
                yield name
                if len(seen) == len(self.names):
                    return
