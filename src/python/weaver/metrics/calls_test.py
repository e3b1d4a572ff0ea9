"""Call slots: counts, error kinds, latency buckets and their labelled snapshot."""

from __future__ import annotations

import pytest

from weaver.metrics.calls import CALLEE, LATENCY_BOUNDS_NS, CallTable, ErrorKind, Settings, settings


def test_slot_is_resolved_once_and_counts() -> None:
    table = CallTable()
    s = table.slot("main", "Hello", "greet", True)
    assert table.slot("main", "Hello", "greet", True) is s
    s.record(500, 10, 20)  # 0.5 us: first bucket
    s.record(3_000_000, 1, 2)  # 3 ms
    s.failed(ErrorKind.DEADLINE)
    snaps = {m.name: m for m in table.snapshot("v1")}
    labels = ("main", "Hello", "greet", "v1", "true", "caller")
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
    assert snaps["weaver_method_calls"].series[0].labels[-2:] == ("false", "caller")
    assert snaps["weaver_method_request_bytes"].series == ()


def test_the_two_sides_of_a_remote_call_are_separate_series() -> None:
    table = CallTable()
    table.slot("main", "Hello", "greet", True).record(100)
    table.slot("", "Hello", "greet", True, CALLEE).record(50)
    snaps = {m.name: m for m in table.snapshot("v1")}
    assert sorted(s.labels for s in snaps["weaver_method_calls"].series) == [
        ("", "Hello", "greet", "v1", "true", "callee"),
        ("main", "Hello", "greet", "v1", "true", "caller"),
    ]
    # bytes are the caller's alone (the callee sees the same payloads)
    assert [s.labels[-1] for s in snaps["weaver_method_request_bytes"].series] == ["caller"]


def test_colocated_slots_take_the_sampling_mask_and_observe_without_counting() -> None:
    old = settings.enabled, settings.local_mask, settings.remote_mask
    try:
        settings.configure(True, 16, 4)
        table = CallTable()
        local = table.slot("main", "Hello", "greet", False)
        assert local.mask == 15 and table.slot("main", "Hello", "greet", True).mask == 3
        local.calls += 16  # what a metered local stub does per call
        local.observe(2_000)  # ... and for the one call in 16 it times
        lat = next(m for m in table.snapshot("v") if m.name == "weaver_method_latency_seconds")
        calls = next(m for m in table.snapshot("v") if m.name == "weaver_method_calls")
        local_lat = next(s for s in lat.series if s.labels[4] == "false")
        assert local_lat.total == 1 and next(s for s in calls.series if s.labels[4] == "false").value == 16
    finally:
        settings.enabled, settings.local_mask, settings.remote_mask = old


@pytest.mark.parametrize("bad", [0, 3, 48, -2])
def test_local_sample_must_be_a_power_of_two(bad: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        Settings().configure(True, bad)
    with pytest.raises(ValueError, match="remote_sample must be a power of two"):
        Settings().configure(True, 1, bad)
