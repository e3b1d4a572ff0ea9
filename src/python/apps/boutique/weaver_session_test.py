"""The scripted session against the weaver variant (over real HTTP) equals the local variant.

In `rpc` mode weaver.testing runs each retriable call twice, which draws twice from the
seeded generators of recommendations and ads, so those sections are compared loosely there.
"""

from __future__ import annotations

import pytest

weaver_testing = pytest.importorskip("weaver.testing")

from apps.boutique.frontend.app import make_app  # noqa: E402
from apps.boutique.frontend.testclient import ASGITestClient  # noqa: E402
from apps.boutique.httpclient import HttpBrowser  # noqa: E402
from apps.boutique.local import local_services  # noqa: E402
from apps.boutique.logic.rand import SEED_ENV  # noqa: E402
from apps.boutique.session import run_session, without_random_sections  # noqa: E402

SEED = "weaver-session-test"


@pytest.mark.parametrize("mode", weaver_testing.MODES)
async def test_session_matches_local_variant(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SEED_ENV, SEED)
    want = await run_session(ASGITestClient(make_app(local_services())))
    async with weaver_testing.start("apps.boutique", mode=mode) as app:
        await app.start_main()
        browser = HttpBrowser("http://" + app.listener("boutique").address)
        try:
            got = await run_session(browser)
        finally:
            await browser.close()
    assert [(name, status) for name, status, _ in got] == [(name, 200) for name, _, _ in want]
    for (name, _, page), (_, _, expected) in zip(got, want, strict=True):
        if mode != "local":
            page, expected = without_random_sections(page), without_random_sections(expected)
        assert page == expected, f"page {name!r} differs in mode {mode}"


@pytest.mark.parametrize("mode", weaver_testing.MODES)
async def test_unknown_product_is_an_error_page(mode: str) -> None:
    async with weaver_testing.start("apps.boutique", mode=mode) as app:
        await app.start_main()
        browser = HttpBrowser("http://" + app.listener("boutique").address)
        try:
            r = await browser.request("GET", "/product/NOPE")
            assert r.status == 500 and "no product with ID NOPE" in r.text
        finally:
            await browser.close()
