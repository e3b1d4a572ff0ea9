"""Unit tests of the pure parts: table validation, router choice, pins, stats arithmetic."""

from __future__ import annotations

import random

import pytest

from weaver.internal import http1
from weaver.proxy import pin, stats
from weaver.proxy.router import Router
from weaver.proxy.table import Table, TableError, Version, decode_table


def test_decode_table_rejects_bad_tables() -> None:
    assert decode_table(b'{"versions": {"abc.1": {"weight": 2, "backends": ["h:1"]}}}').versions["abc.1"].weight == 2
    for bad in (
        b"[]",
        b'{"versions": {"": {}}}',
        b'{"versions": {"v": {"weight": "x"}}}',
        b'{"versions": {"v": {"backends": ["h:1", "h:1"]}}}',
        b'{"versions": {"v": {"extra": 1}}}',
    ):
        with pytest.raises(TableError):
            decode_table(bad)


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


def test_cookie_pin() -> None:
    assert pin.cookie_pin(b"a=1; weaver-version=v2; b=3") == "v2"
    assert pin.cookie_pin(b'weaver-version="v3"') == "v3"
    assert pin.cookie_pin(b"a=1; xweaver-version=v2") is None
    assert pin.cookie_pin(b"a=1") is None


def test_histogram_percentiles_and_diff() -> None:
    s = stats.Stats()
    c = s.counters("v1")
    for _ in range(98):
        c.observe(100e-6)
    c.observe(10e-3)
    c.observe(10e-3)
    c.requests = 100
    c.status[2] = 100
    first = s.snapshot()
    v = first.versions["v1"]
    assert 90 <= v.p50_us <= 110 and 9000 <= v.p99_us <= 11000
    for _ in range(10):
        c.observe(1.0)
    c.requests += 10
    c.status[5] += 10
    d = stats.diff(s.snapshot(), first)
    dv = d.versions["v1"]
    assert dv.requests == 10 and dv.status_5xx == 10 and dv.status_2xx == 0
    assert 0.9e6 <= dv.p50_us <= 1.1e6 and dv.error_rate() == 1.0
    assert stats.percentile_us({}, 0.5) == 0.0
    assert stats.bucket_of(1e9) == stats.BUCKETS - 1 and stats.bucket_of(0) == 0


def test_hop_by_hop_headers_are_dropped() -> None:
    headers = [
        (b"Connection", b"keep-alive, X-Secret"),
        (b"X-Secret", b"1"),
        (b"Keep-Alive", b"5"),
        (b"TE", b"trailers"),
        (b"Accept", b"*/*"),
        (b"weaver-version", b"v"),
    ]
    lines = http1.end_to_end(headers, http1.skipping(b"weaver-version"))
    assert lines == [b"Accept: */*\r\n"]
