"""The scripted session over the Ray Serve baseline equals the local variant page for page (the
gRPC baseline's test, run against this baseline's cluster), and errors cross the handles."""

from __future__ import annotations

import pytest

from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import check_errors_cross
from apps.boutique_grpc.session_test import test_session_matches_local_variant
from apps.boutique_ray.cluster import RayCluster

__all__ = ["test_session_matches_local_variant"]

# The first test's time includes the cluster's start (up to START_TIMEOUT, 240 s).
pytestmark = pytest.mark.timeout(420)


async def test_errors_cross_the_handles(cluster: RayCluster) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        await check_errors_cross(browser, "NotFoundError: no product with ID NOPE")
    finally:
        await browser.close()
