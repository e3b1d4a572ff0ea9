"""The router: weights, pins and round robin over a version's backends."""

from __future__ import annotations

import random

from weaver.proxy.router import Router
from weaver.proxy.table import Table, Version


def test_router_weights_are_respected_statistically() -> None:
    table = Table(
        {
            "a": Version(1, ["h:1"]),
            "b": Version(3, ["h:2"]),
            "c": Version(0, ["h:3"]),
            "d": Version(5, ["h:4"], draining=True),
        }
    )
    router = Router(table, random.Random(1))
    counts = {"a": 0, "b": 0, "c": 0, "d": 0}
    n = 20_000
    for _ in range(n):
        r = router.route(None)
        assert r is not None and not r.pinned
        counts[r.version] += 1
    assert counts["c"] == counts["d"] == 0
    assert abs(counts["a"] / n - 0.25) < 0.02  # sd 0.003


def test_router_pins() -> None:
    router = Router(Table({"a": Version(1, ["h:1"]), "z": Version(0, ["h:2"], draining=True)}))
    r = router.route("z")
    assert r is not None and r.version == "z" and r.pinned and r.repinned_from is None
    r = router.route("gone")
    assert r is not None and r.version == "a" and r.repinned_from == "gone"
    assert Router(Table({"z": Version(0, ["h:2"])})).route(None) is None
    r = Router(Table({"z": Version(0, ["h:2"])})).route("z")
    assert r is not None and r.version == "z"


def test_router_round_robin() -> None:
    router = Router(Table({"a": Version(1, ["h:1", "h:2", "h:3"])}))
    firsts = [router.route(None).backends[0][1] for _ in range(6)]  # type: ignore[union-attr]
    assert firsts == [1, 2, 3, 1, 2, 3]
