"""The load generator against the local variant served by the shop's HTTP server on 127.0.0.1."""

from __future__ import annotations

from apps.boutique import loadgen
from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.testserver import serving
from apps.boutique.local import local_services


def test_percentile() -> None:
    assert loadgen.percentile([], 0.5) == 0.0
    assert loadgen.percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert loadgen.percentile([float(i) for i in range(1, 101)], 0.99) == 99.0


async def test_short_run_has_no_errors() -> None:
    async with serving(make_app(local_services())) as url:
        report = await loadgen.run(url, rate=40, duration=1.0, seed=1, drain=5)
    assert report.errors == {} and report.tasks_failed == 0 and report.dropped == 0
    assert report.tasks_done == 40 and report.requests >= 40
    assert 0 < report.p50_ms <= report.p99_ms
