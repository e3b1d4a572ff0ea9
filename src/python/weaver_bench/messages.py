"""Online-Boutique-like messages, as weaver sends them and as a .proto for the baseline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec


class Money(msgspec.Struct, array_like=True):
    currency_code: str
    units: int
    nanos: int


class Product(msgspec.Struct, array_like=True):
    id: str
    name: str
    description: str
    picture: str
    price_usd: Money
    categories: list[str]


class CartItem(msgspec.Struct, array_like=True):
    product_id: str
    quantity: int


class Cart(msgspec.Struct, array_like=True):
    user_id: str
    items: list[CartItem]


class Address(msgspec.Struct, array_like=True):
    street_address: str
    city: str
    state: str
    country: str
    zip_code: int


class OrderItem(msgspec.Struct, array_like=True):
    item: CartItem
    cost: Money


class OrderResult(msgspec.Struct, array_like=True):
    order_id: str
    shipping_tracking_id: str
    shipping_cost: Money
    shipping_address: Address
    items: list[OrderItem]


def samples() -> dict[str, msgspec.Struct]:
    """One realistic value of each message."""
    items = [CartItem("OLJCESPC7Z", 1), CartItem("66VCHSJNUP", 3), CartItem("1YMWWN1N4O", 2)]
    return {
        "Product": Product(
            "OLJCESPC7Z",
            "Sunglasses",
            "Add a modern touch to your outfits with these sleek aviator sunglasses.",
            "/static/img/products/sunglasses.jpg",
            Money("USD", 19, 990000000),
            ["accessories"],
        ),
        "Cart (3 items)": Cart("0b6c6a1e-7f2c-4c55-9f8b-3f9a1d2e4c10", items),
        "OrderResult": OrderResult(
            "e5a1b2c3-0000-4d5e-8f90-123456789abc",
            "TR-8848-2211-0097",
            Money("USD", 8, 990000000),
            Address("1600 Amphitheatre Parkway", "Mountain View", "CA", "United States", 94043),
            [OrderItem(i, Money("USD", 19 * i.quantity, 990000000)) for i in items],
        ),
    }


PROTO = """
syntax = "proto3";
package benchboutique;
message Money { string currency_code = 1; int64 units = 2; int32 nanos = 3; }
message Product { string id = 1; string name = 2; string description = 3; string picture = 4;
                  Money price_usd = 5; repeated string categories = 6; }
message CartItem { string product_id = 1; int32 quantity = 2; }
message Cart { string user_id = 1; repeated CartItem items = 2; }
message Address { string street_address = 1; string city = 2; string state = 3; string country = 4;
                  int32 zip_code = 5; }
message OrderItem { CartItem item = 1; Money cost = 2; }
message OrderResult { string order_id = 1; string shipping_tracking_id = 2; Money shipping_cost = 3;
                      Address shipping_address = 4; repeated OrderItem items = 5; }
"""


def read_money(m: Any) -> None:
    m.currency_code, m.units, m.nanos  # noqa: B018


def read_product(p: Any) -> None:
    """Read every field, as a callee would (same code for structs and protobuf messages)."""
    p.id, p.name, p.description, p.picture  # noqa: B018
    read_money(p.price_usd)
    for c in p.categories:
        c  # noqa: B018


def read_cart(c: Any) -> None:
    c.user_id  # noqa: B018
    for i in c.items:
        i.product_id, i.quantity  # noqa: B018


def read_order(o: Any) -> None:
    o.order_id, o.shipping_tracking_id  # noqa: B018
    read_money(o.shipping_cost)
    a = o.shipping_address
    a.street_address, a.city, a.state, a.country, a.zip_code  # noqa: B018
    for it in o.items:
        it.item.product_id, it.item.quantity  # noqa: B018
        read_money(it.cost)


READERS: dict[str, Callable[[Any], None]] = {
    "Product": read_product,
    "Cart (3 items)": read_cart,
    "OrderResult": read_order,
}
