"""The original's behaviour at the edges: 422 on bad forms (nothing stored), HEAD, robots.txt, access log."""

from __future__ import annotations

import logging

import pytest

from apps.boutique.frontend.app import make_app
from apps.boutique.frontend.services import FrontendServices
from apps.boutique.frontend.static_test import PACKAGED
from apps.boutique.frontend.testclient import ASGITestClient
from apps.boutique.frontend.testserver import raw_request, serving
from apps.boutique.local import local_services
from apps.boutique.session import CHECKOUT_FORM

SUNGLASSES = "OLJCESPC7Z"


@pytest.fixture
def services() -> FrontendServices:
    return local_services()


@pytest.fixture
def client(services: FrontendServices) -> ASGITestClient:
    return ASGITestClient(make_app(services, static=PACKAGED))


async def cart_of(services: FrontendServices, client: ASGITestClient) -> list[tuple[str, int]]:
    cart = await services.cart.get_cart(client.cookies["shop_session-id"])
    return [(i.product_id, i.quantity) for i in cart.items]


@pytest.mark.parametrize("code", ["XYZ", "usd", "", "EUR; Path=/", "CHF"])
async def test_unknown_currency_is_422_and_not_kept(client: ASGITestClient, code: str) -> None:
    r = await client.request("POST", "/setCurrency", {"currency_code": code})
    assert r.status == 422 and "currency_code" in r.text
    assert "shop_currency" not in client.cookies
    home = await client.request("GET", "/")
    assert home.status == 200 and "$19.99" in home.text


async def test_a_bad_currency_cookie_falls_back_to_usd(client: ASGITestClient) -> None:
    client.cookies["shop_currency"] = "XYZ"
    for path in ("/", f"/product/{SUNGLASSES}", "/cart"):
        r = await client.request("GET", path)
        assert r.status == 200 and "$" in r.text, path


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"product_id": SUNGLASSES, "quantity": "0"}, "quantity"),
        ({"product_id": SUNGLASSES, "quantity": "11"}, "quantity"),
        ({"product_id": SUNGLASSES, "quantity": "50"}, "quantity"),
        ({"product_id": SUNGLASSES, "quantity": "-1"}, "quantity"),
        ({"product_id": SUNGLASSES, "quantity": "two"}, "quantity"),
        ({"product_id": SUNGLASSES}, "quantity"),
        ({"product_id": "", "quantity": "1"}, "product_id"),
        ({"quantity": "1"}, "product_id"),
    ],
)
async def test_bad_add_to_cart_is_422_and_stores_nothing(
    client: ASGITestClient, services: FrontendServices, form: dict[str, str], field: str
) -> None:
    assert (await client.request("GET", "/")).status == 200
    r = await client.request("POST", "/cart", form)
    assert r.status == 422 and f"invalid form field &#39;{field}&#39;" in r.text
    assert await cart_of(services, client) == []
    after = await client.request("GET", "/cart")
    assert after.status == 200 and "Your shopping cart is empty" in after.text


async def test_quantity_bounds_are_inclusive(client: ASGITestClient, services: FrontendServices) -> None:
    for q in ("1", "10"):
        assert (await client.request("POST", "/cart", {"product_id": SUNGLASSES, "quantity": q})).status == 302
    assert await cart_of(services, client) == [(SUNGLASSES, 11)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "nobody"}, "email"),
        ({"zip_code": "abc"}, "zip_code"),
        ({"street_address": "x" * 513}, "street_address"),
        ({"credit_card_expiration_month": "13"}, "credit_card_expiration_month"),
        ({"credit_card_expiration_month": "0"}, "credit_card_expiration_month"),
        ({"credit_card_cvv": "abc"}, "credit_card_cvv"),
        ({"credit_card_number": ""}, "credit_card_number"),
        ({"city": None}, "city"),
    ],
)
async def test_bad_checkout_is_422_and_places_no_order(
    client: ASGITestClient, services: FrontendServices, change: dict[str, str | None], field: str
) -> None:
    await client.request("POST", "/cart", {"product_id": SUNGLASSES, "quantity": "2"})
    form = dict(CHECKOUT_FORM)
    for k, v in change.items():
        if v is None:
            del form[k]
        else:
            form[k] = v
    r = await client.request("POST", "/cart/checkout", form)
    assert r.status == 422 and field in r.text and "Your order is complete" not in r.text
    assert await cart_of(services, client) == [(SUNGLASSES, 2)]  # not emptied: no order was placed
    after = await client.request("GET", "/cart")
    assert after.status == 200 and "Sunglasses" in after.text
    done = await client.request("POST", "/cart/checkout", CHECKOUT_FORM)
    assert done.status == 200 and "Your order is complete" in done.text


async def test_robots_txt(client: ASGITestClient) -> None:
    r = await client.request("GET", "/robots.txt")
    assert r.status == 200 and r.text == "User-agent: *\nDisallow: /"
    assert r.header("content-type") == "text/plain; charset=utf-8"


async def test_head_where_the_original_allows_it() -> None:
    async with serving(make_app(local_services(), static=PACKAGED)) as url:
        for path in ("/", "/cart", f"/product/{SUNGLASSES}", "/robots.txt", "/_healthz", "/static/styles.css"):
            get_status, get_headers, get_body = await raw_request(url, "GET", path)
            status, headers, body = await raw_request(url, "HEAD", path)
            assert (status, body) == (200, b""), path
            assert get_status == 200 and headers["content-type"] == get_headers["content-type"], path
            assert int(headers["content-length"]) > 0, path
        for path in ("/logout", "/setCurrency", "/cart/checkout"):
            status, _, _ = await raw_request(url, "HEAD", path)
            assert status == 405, path


async def test_one_access_log_line_per_request(client: ASGITestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="boutique.access"):
        home = await client.request("GET", "/")
        await client.request("POST", "/setCurrency", {"currency_code": "XYZ"})
        await client.request("GET", "/nowhere")
    lines = [r.getMessage() for r in caplog.records if r.name == "boutique.access"]
    assert len(lines) == 3
    method, path, status, size, duration = lines[0].split()
    assert (method, path, status, size) == ("GET", "/", "200", str(len(home.body)))
    assert duration.endswith("ms") and float(duration.removesuffix("ms")) > 0
    assert lines[1].startswith("POST /setCurrency 422 ") and lines[2].startswith("GET /nowhere 404 18 ")
