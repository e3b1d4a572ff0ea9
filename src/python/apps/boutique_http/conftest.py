"""The HTTP baseline's tests: the whole baseline running, seeded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.boutique.microservices import FRONTEND, SERVICES
from apps.boutique_bench.variants import free_ports
from apps.boutique_http.launch import HttpCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[HttpCluster]:
    """11 processes on free ports, seeded as the gRPC baseline's tests are; stopped after the module."""
    ports = dict(zip((FRONTEND, *SERVICES), free_ports(1 + len(SERVICES)), strict=True))
    c = HttpCluster(ports, seed="session-test")
    c.start(timeout=60)
    try:
        yield c
    finally:
        c.stop()
