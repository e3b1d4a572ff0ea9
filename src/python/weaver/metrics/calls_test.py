"""Call slots: counts, error kinds, latency buckets and their labelled snapshot."""

from __future__ import annotations

from weaver.metrics.calls import LATENCY_BOUNDS_NS, CallTable, ErrorKind


def test_slot_is_resolved_once_and_counts() -> None:
    table = CallTable()
    s = table.slot("main", "Hello", "greet", True)
    assert table.slot("main", "Hello", "greet", True) is s
    s.record(500, 10, 20)  # 0.5 us: first bucket
    s.record(3_000_000, 1, 2)  # 3 ms
    s.failed(ErrorKind.DEADLINE)
    snaps = {m.name: m for m in table.snapshot("v1")}
    labels = ("main", "Hello", "greet", "v1", "true")
    assert snaps["weaver_method_calls"].series == (snaps["weaver_method_calls"].series[0],)
    assert snaps["weaver_method_calls"].series[0].labels == labels
    assert snaps["weaver_method_calls"].series[0].value == 2
    errs = {s.labels[-1]: s.value for s in snaps["weaver_method_errors"].series}
    assert errs == {"app": 0, "remote": 0, "communication": 0, "deadline": 1}
    lat = snaps["weaver_method_latency_seconds"].series[0]
    assert lat.total == 2 and lat.buckets[0] == 1
    assert sum(1 for b in LATENCY_BOUNDS_NS if b < 3_000_000) == lat.buckets.index(1, 1)
    assert snaps["weaver_method_request_bytes"].series[0].value == 11
    assert snaps["weaver_method_reply_bytes"].series[0].value == 22


def test_local_calls_have_no_byte_series() -> None:
    table = CallTable()
    table.slot("main", "Hello", "greet", False).record(100)
    snaps = {m.name: m for m in table.snapshot("v1")}
    assert snaps["weaver_method_calls"].series[0].labels[-1] == "false"
    assert snaps["weaver_method_request_bytes"].series == ()
