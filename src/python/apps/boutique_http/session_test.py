"""The scripted session over the HTTP/JSON baseline equals the local variant page for page (the
gRPC baseline's test, run against this baseline's cluster), and errors cross the transport."""

from __future__ import annotations

from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import check_errors_cross
from apps.boutique_grpc.session_test import test_session_matches_local_variant
from apps.boutique_http.launch import HttpCluster

__all__ = ["test_session_matches_local_variant"]


async def test_errors_cross_the_transport(cluster: HttpCluster) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        await check_errors_cross(browser, "NotFoundError: no product with ID NOPE")
    finally:
        await browser.close()
