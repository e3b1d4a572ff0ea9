"""The Ray baseline's tests: the whole baseline running (a local Ray cluster), seeded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.boutique_bench.variants import free_ports
from apps.boutique_ray.cluster import RayCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[RayCluster]:
    """The launcher on a free port, seeded as the other baselines' tests are; stopped after the module."""
    (port,) = free_ports(1)
    c = RayCluster(port, seed="session-test")
    c.start()
    try:
        yield c
    finally:
        c.stop()
