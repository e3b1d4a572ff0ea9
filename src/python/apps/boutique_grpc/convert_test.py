"""Round trips between the shared model and protobuf."""

from __future__ import annotations

from apps.boutique.model import Ad, Address, Cart, CartItem, CreditCardInfo, Money, OrderItem, OrderResult, Product
from apps.boutique_grpc import convert as c


def test_round_trips() -> None:
    m = Money("EUR", -3, -500_000_000)
    assert c.money_from_pb(c.money_to_pb(m)) == m
    p = Product("ID", "Mug", "A mug.", "/img/mug.jpg", Money("USD", 8, 990_000_000), ["kitchen"])
    assert c.product_from_pb(c.product_to_pb(p)) == p
    cart = Cart("u", [CartItem("A", 2)])
    assert c.cart_from_pb(c.cart_to_pb(cart)) == cart
    card = CreditCardInfo("4432-8015-6152-0454", 672, 2039, 1)
    assert c.card_from_pb(c.card_to_pb(card)) == card
    order = OrderResult("o", "AB-1-2", m, Address("s", "c", "st", "co", 94043), [OrderItem(CartItem("A", 2), m)])
    assert c.order_from_pb(c.order_to_pb(order)) == order
    assert c.ad_from_pb(c.ad_to_pb(Ad("/product/X", "t"))) == Ad("/product/X", "t")


def test_product_size_is_small() -> None:
    p = Product(
        "OLJCESPC7Z",
        "Sunglasses",
        "Add a modern touch to your outfits with these sleek aviator sunglasses.",
        "/static/img/products/sunglasses.jpg",
        Money("USD", 19, 990_000_000),
        ["accessories"],
    )
    assert 110 <= len(c.product_to_pb(p).SerializeToString()) <= 175
