"""The scripted session against the gRPC baseline (over real HTTP) equals the local variant."""

from __future__ import annotations

import pytest

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.testclient import ASGITestClient
from apps.boutique.httpclient import HttpBrowser
from apps.boutique.local import local_services
from apps.boutique.logic.rand import SEED_ENV
from apps.boutique.session import check_errors_cross, run_session
from apps.boutique_grpc.launch import Cluster


async def test_session_matches_local_variant(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        got = await run_session(browser)
    finally:
        await browser.close()
    monkeypatch.setenv(SEED_ENV, cluster.seed or "")
    want = await run_session(ASGITestClient(make_app(local_services())))
    assert [(name, status) for name, status, _ in got] == [(name, 200) for name, _, _ in want]
    for (name, _, page), (_, _, expected) in zip(got, want, strict=True):
        assert page == expected, f"page {name!r} differs"
    order_page = dict((n, p) for n, _, p in got)["checkout"]
    assert "Your order is complete" in order_page


async def test_errors_cross_the_transport(cluster: Cluster) -> None:
    browser = HttpBrowser(cluster.url)
    try:
        await check_errors_cross(browser, "NOT_FOUND")
    finally:
        await browser.close()
