"""The benchmark's load generator measures itself as the backend, in both loop modes."""

from __future__ import annotations

import pytest

from weaver_bench.proxy.loadgen import Peer


@pytest.mark.parametrize(("mode", "rate"), [("closed", 0.0), ("open", 2000.0)])
def test_measures_its_own_backend(mode: str, rate: float) -> None:
    peer = Peer()
    r = peer.measure(peer.address, mode, 16, 0.3, rate)
    assert r["n"] > 100 and r["total"] >= r["n"]
    assert 0 < r["p50_us"] <= r["p99_us"] < 100_000
    if mode == "open":
        assert 1000 < r["rate"] < 3000  # Poisson arrivals at the asked rate, all answered
        # How many arrivals queue depends on how busy the machine is (the bench reports it);
        # counted among the arrivals, never more.
        assert 0 <= r["queued"] <= r["total"]
    again = peer.measure(peer.address, mode, 2, 0.1, rate)  # connections of the first run are gone
    assert again["n"] > 10
    assert len(peer.handlers) <= 1 + 16 + 2  # listener, plus at most the server ends still closing
