"""Tests of catalog, cart, shipping, recommendation, ad and email logic."""

import pytest

from apps.boutique.logic.ad import AdLogic
from apps.boutique.logic.cart import CartLogic, CartStoreLogic
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.logic.email import render_confirmation
from apps.boutique.logic.errors import NotFoundError
from apps.boutique.logic.rand import make_rng
from apps.boutique.logic.recommendation import RecommendationLogic
from apps.boutique.logic.shipping import ShippingLogic
from apps.boutique.model import Address, CartItem, Money, OrderItem, OrderResult


async def test_catalog() -> None:
    c = CatalogLogic()
    products = await c.list_products()
    assert len(products) == 9
    assert (await c.get_product("OLJCESPC7Z")).name == "Sunglasses"
    assert [p.id for p in await c.search_products("MUG")] == ["6E92ZMYYFZ"]
    with pytest.raises(NotFoundError):
        await c.get_product("nope")


async def test_cart_merges_quantities() -> None:
    cart = CartLogic(CartStoreLogic())
    await cart.add_item("u", CartItem("A", 1))
    await cart.add_item("u", CartItem("B", 2))
    await cart.add_item("u", CartItem("A", 3))
    assert (await cart.get_cart("u")).items == [CartItem("A", 4), CartItem("B", 2)]
    await cart.empty_cart("u")
    assert (await cart.get_cart("u")).items == []


async def test_shipping() -> None:
    s = ShippingLogic(make_rng("s", "1"))
    assert await s.get_quote(Address(), []) == Money("USD", 8, 990_000_000)
    tid = await s.ship_order(Address("1600 Amphitheatre Parkway", "Mountain View", "CA", "US", 94043), [])
    letters, first, second = tid.split("-")
    salt_len = len("1600 Amphitheatre Parkway, Mountain View, CA")
    assert len(letters) == 2 and letters.isalpha()
    assert first.startswith(str(salt_len)) and second.startswith(str(salt_len // 2))


async def test_recommendations_exclude_given_ids() -> None:
    r = RecommendationLogic(CatalogLogic(), make_rng("r", "1"))
    ids = await r.list_recommendations("u", ["OLJCESPC7Z"])
    assert len(ids) == 5 and "OLJCESPC7Z" not in ids and len(set(ids)) == 5


async def test_ads() -> None:
    a = AdLogic(make_rng("a", "1"))
    assert [ad.redirect_url for ad in await a.get_ads(["kitchen"])] == ["/product/9SIQT8TOJO", "/product/6E92ZMYYFZ"]
    assert len(await a.get_ads([])) == 2
    assert len(await a.get_ads(["unknown"])) == 2


def test_confirmation_email() -> None:
    order = OrderResult(
        "oid",
        "AB-1-2",
        Money("EUR", 7, 950_000_000),
        Address(city="Paris"),
        [OrderItem(CartItem("X", 2), Money("EUR", 1, 0))],
    )
    html = render_confirmation(order)
    assert "oid" in html and "Paris" in html and "7.95" in html
