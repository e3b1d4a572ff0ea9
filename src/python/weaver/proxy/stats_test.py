"""Per-version counters: histogram percentiles and step differences."""

from __future__ import annotations

from weaver.proxy import stats


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
