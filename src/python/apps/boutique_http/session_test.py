"""The scripted session over the HTTP/JSON baseline equals the local variant page for page (the
gRPC baseline's test, run against this baseline's cluster), and errors cross the transport."""

from __future__ import annotations

from apps.boutique.httpclient import HttpBrowser
from apps.boutique_grpc.session_test import test_session_matches_local_variant
from apps.boutique_http.launch import HttpCluster

__all__ = ["test_session_matches_local_variant"]


async def test_errors_cross_the_transport(cluster: HttpCluster) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        r = await browser.request("GET", "/product/NOPE")
        assert r.status == 500 and "NotFoundError: no product with ID NOPE" in r.text
        r = await browser.request("GET", "/_healthz")
        assert r.status == 200
    finally:
        await browser.close()
