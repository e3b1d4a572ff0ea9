"""Tests of the frontend over the in-process (local) services."""

from typing import Any

import pytest

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.services import FrontendServices
from apps.boutique.frontend.testclient import ASGITestClient
from apps.boutique.local import local_services
from apps.boutique.logic.recording import Recorder
from apps.boutique.session import CHECKOUT_FORM


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def client(calls: list[str]) -> ASGITestClient:
    s = local_services()
    wrapped = FrontendServices(**{f: Recorder(f, getattr(s, f), calls) for f in s.__dataclass_fields__})
    return ASGITestClient(make_app(wrapped))


async def test_home_calls_and_session_cookie(client: ASGITestClient, calls: list[str]) -> None:
    r = await client.request("GET", "/")
    assert r.status == 200 and "Sunglasses" in r.text
    assert "shop_session-id" in client.cookies
    assert calls == ["currency.get_supported_currencies", "catalog.list_products", "cart.get_cart"] + [
        "currency.convert"
    ] * 9 + ["ad.get_ads"]
    assert 2_000 < len(r.body) < 20_000


async def test_product_page_calls(client: ASGITestClient, calls: list[str]) -> None:
    r = await client.request("GET", "/product/9SIQT8TOJO")
    assert r.status == 200 and "Bamboo Glass Jar" in r.text and "You May Also Like" in r.text
    assert calls == [
        "catalog.get_product",
        "currency.get_supported_currencies",
        "cart.get_cart",
        "currency.convert",
        "recommendation.list_recommendations",
    ] + ["catalog.get_product"] * 5 + ["ad.get_ads"]


async def test_cart_flow(client: ASGITestClient, calls: list[str]) -> None:
    r = await client.request("POST", "/cart", {"product_id": "OLJCESPC7Z", "quantity": "2"})
    assert r.status == 302 and r.header("location") == "/cart"
    assert calls == ["catalog.get_product", "cart.add_item"]
    calls.clear()
    r = await client.request("GET", "/cart")
    assert r.status == 200 and "Sunglasses" in r.text and "$48.97" in r.text  # 2 x 19.99 + 8.99
    assert calls == [
        "currency.get_supported_currencies",
        "cart.get_cart",
        "recommendation.list_recommendations",
        *["catalog.get_product"] * 5,
        "shipping.get_quote",
        "currency.convert",
        "catalog.get_product",
        "currency.convert",
    ]
    r = await client.request("POST", "/cart/empty", {}, follow=True)
    assert r.status == 200
    r = await client.request("GET", "/cart")
    assert "Your shopping cart is empty" in r.text


async def test_set_currency_and_logout(client: ASGITestClient) -> None:
    r = await client.request("POST", "/setCurrency", {"currency_code": "EUR"}, {"referer": "/product/OLJCESPC7Z"})
    assert r.status == 302 and r.header("location") == "/product/OLJCESPC7Z"
    assert client.cookies["shop_currency"] == "EUR"
    r = await client.request("GET", "/")
    assert "€" in r.text
    r = await client.request("GET", "/logout")
    assert r.status == 302 and client.cookies == {}


async def test_checkout_calls(client: ASGITestClient, calls: list[str]) -> None:
    await client.request("POST", "/cart", {"product_id": "OLJCESPC7Z", "quantity": "1"})
    calls.clear()
    r = await client.request("POST", "/cart/checkout", CHECKOUT_FORM)
    assert r.status == 200 and "Your order is complete" in r.text and "$28.98" in r.text
    assert calls == [
        "checkout.place_order",
        "recommendation.list_recommendations",
        *["catalog.get_product"] * 5,
        "currency.get_supported_currencies",
    ]


async def test_errors(client: ASGITestClient) -> None:
    assert (await client.request("GET", "/product/NOPE")).status == 500
    assert (await client.request("POST", "/cart", {"product_id": "X", "quantity": "zero"})).status == 422
    assert (await client.request("GET", "/nowhere")).status == 404
    r = await client.request("GET", "/_healthz")
    assert r.status == 200 and r.text == "ok"
    assert (await client.request("GET", "/static/styles.css")).status == 200


async def test_slow_ads_do_not_fail_the_page(client: ASGITestClient) -> None:
    import asyncio

    class SlowAds:
        async def get_ads(self, context_keys: list[str]) -> list[Any]:
            await asyncio.sleep(1)
            return []

    s = local_services()
    slow = ASGITestClient(make_app(FrontendServices(**{**s.__dict__, "ad": SlowAds()})))
    r = await slow.request("GET", "/")
    assert r.status == 200 and 'class="ad"' not in r.text
