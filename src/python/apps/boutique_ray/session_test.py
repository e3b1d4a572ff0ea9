"""The scripted session over the Ray Serve baseline equals the local variant page for page (the
gRPC baseline's test, run against this baseline's cluster), and errors cross the handles."""

from __future__ import annotations

import pytest

from apps.boutique.httpclient import HttpBrowser
from apps.boutique_grpc.session_test import test_session_matches_local_variant
from apps.boutique_ray.cluster import RayCluster

__all__ = ["test_session_matches_local_variant"]

# The first test's time includes the cluster's start (up to START_TIMEOUT, 240 s).
pytestmark = pytest.mark.timeout(420)


async def test_errors_cross_the_handles(cluster: RayCluster) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        r = await browser.request("GET", "/product/NOPE")
        assert r.status == 500 and "NotFoundError: no product with ID NOPE" in r.text
        r = await browser.request("GET", "/_healthz")
        assert r.status == 200
    finally:
        await browser.close()
