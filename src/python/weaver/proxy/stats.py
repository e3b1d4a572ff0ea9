"""Per-version counters for the rollout controller and `status`.

Counters are cumulative from proxy start and cheap to bump on the hot path (`Counters`). The
controller takes `Snapshot`s and compares versions over a step with `diff(later, earlier)`,
which subtracts counters and histograms (gauges such as in_flight come from the later one).

Latency is measured from the request's headers to the response's last byte, in a log histogram
of 4 buckets per octave (percentiles are within about 10% of the true value).
"""

from __future__ import annotations

import math
import time

import msgspec

_PER_OCTAVE = 4
BUCKETS = 28 * _PER_OCTAVE
"""1 us .. 2**28 us (about 4.5 minutes); slower requests land in the last bucket."""


def bucket_of(seconds: float) -> int:
    """Histogram bucket of a latency."""
    us = seconds * 1e6
    if us <= 1.0:
        return 0
    return min(int(math.log2(us) * _PER_OCTAVE), BUCKETS - 1)


def bucket_value_us(i: int) -> float:
    """The representative latency of bucket i (geometric middle), in microseconds."""
    return float(2 ** ((i + 0.5) / _PER_OCTAVE))


def bucket_top_us(i: int) -> float:
    """The upper bound of bucket i, in microseconds."""
    return float(2 ** ((i + 1) / _PER_OCTAVE))


def quantile_us(hist: dict[int, int], q: float) -> float:
    """The q-quantile (0..1) of a sparse histogram, interpolated within its bucket (geometrically,
    as buckets are), in microseconds; 0 when empty. Finer than `percentile_us` for comparisons."""
    total = sum(hist.values())
    if total == 0:
        return 0.0
    target, seen = q * total, 0
    for i in sorted(hist):
        if seen + hist[i] >= target:
            frac = (target - seen) / hist[i]
            return float(2 ** ((i + frac) / _PER_OCTAVE))
        seen += hist[i]
    return float(2 ** ((max(hist) + 1) / _PER_OCTAVE))


def percentile_us(hist: dict[int, int], q: float) -> float:
    """The q-quantile (0..1) of a sparse histogram, in microseconds; 0 when empty."""
    total = sum(hist.values())
    if total == 0:
        return 0.0
    rank = max(1, math.ceil(q * total))
    seen = 0
    for i in sorted(hist):
        seen += hist[i]
        if seen >= rank:
            return bucket_value_us(i)
    return bucket_value_us(max(hist))


class Counters:
    """Mutable per-version counters, bumped by the proxy."""

    __slots__ = (
        "requests",
        "pinned",
        "repinned",
        "status",
        "proxy_errors",
        "client_aborts",
        "in_flight",
        "tunnels",
        "latency",
        "last_request",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.pinned = 0
        self.repinned = 0
        self.status = [0] * 6
        self.proxy_errors = 0
        self.client_aborts = 0
        self.in_flight = 0
        self.tunnels = 0
        self.latency = [0] * BUCKETS
        self.last_request = 0.0

    def observe(self, seconds: float) -> None:
        """Record one request's latency."""
        self.latency[bucket_of(seconds)] += 1


class VersionStats(msgspec.Struct):
    """One version's figures. Errors: status_5xx came from the backend, proxy_errors from the
    proxy (502/503/504 it generated, responses cut off mid-body)."""

    requests: int = 0
    pinned: int = 0
    repinned: int = 0
    status_1xx: int = 0
    status_2xx: int = 0
    status_3xx: int = 0
    status_4xx: int = 0
    status_5xx: int = 0
    proxy_errors: int = 0
    client_aborts: int = 0
    in_flight: int = 0
    tunnels: int = 0
    idle_s: float | None = None
    p50_us: float = 0.0
    p99_us: float = 0.0
    latency: dict[int, int] = msgspec.field(default_factory=dict)

    def error_rate(self) -> float:
        """(5xx + proxy errors) / requests; 0 when there were none."""
        return (self.status_5xx + self.proxy_errors) / self.requests if self.requests else 0.0


class Snapshot(msgspec.Struct):
    """All versions at one instant, plus requests no version saw."""

    taken_at: float
    versions: dict[str, VersionStats]
    unrouted: int = 0
    bad_requests: int = 0


_COUNTS = ("requests", "pinned", "repinned", "proxy_errors", "client_aborts")
_CLASSES = ("status_1xx", "status_2xx", "status_3xx", "status_4xx", "status_5xx")


def _version_stats(c: Counters, now: float) -> VersionStats:
    hist = {i: n for i, n in enumerate(c.latency) if n}
    s = VersionStats(in_flight=c.in_flight, tunnels=c.tunnels, latency=hist)
    for name in _COUNTS:
        setattr(s, name, getattr(c, name))
    for k, name in enumerate(_CLASSES, start=1):
        setattr(s, name, c.status[k])
    s.idle_s = round(now - c.last_request, 3) if c.last_request else None
    s.p50_us, s.p99_us = percentile_us(hist, 0.5), percentile_us(hist, 0.99)
    return s


class Stats:
    """The proxy's counters: one `Counters` per version ever routed to."""

    def __init__(self) -> None:
        self.versions: dict[str, Counters] = {}
        self.unrouted = 0
        self.bad_requests = 0

    def counters(self, version: str) -> Counters:
        """The counters of `version`, created on first use."""
        c = self.versions.get(version)
        if c is None:
            c = self.versions[version] = Counters()
        return c

    def snapshot(self) -> Snapshot:
        """Cumulative figures now."""
        now = time.monotonic()
        versions = {v: _version_stats(c, now) for v, c in self.versions.items()}
        return Snapshot(time.time(), versions, self.unrouted, self.bad_requests)


def diff(later: Snapshot, earlier: Snapshot) -> Snapshot:
    """What happened between two snapshots: counters and histograms subtracted, gauges later's."""
    versions = {}
    for vid, new in later.versions.items():
        old = earlier.versions.get(vid, VersionStats())
        d = msgspec.structs.replace(new)
        for name in _COUNTS + _CLASSES:
            setattr(d, name, getattr(new, name) - getattr(old, name))
        hist = {i: n - old.latency.get(i, 0) for i, n in new.latency.items()}
        d.latency = {i: n for i, n in hist.items() if n > 0}
        d.p50_us, d.p99_us = percentile_us(d.latency, 0.5), percentile_us(d.latency, 0.99)
        versions[vid] = d
    return Snapshot(
        later.taken_at,
        versions,
        later.unrouted - earlier.unrouted,
        later.bad_requests - earlier.bad_requests,
    )
