"""The data types that travel between Online Boutique's services.

msgspec structs so that weaver's codec can encode them directly; the gRPC baseline converts
them to and from protobuf at its edges. Field names follow hipstershop's demo.proto.
"""

from __future__ import annotations

import msgspec


class Money(msgspec.Struct):
    """An amount: whole `units` plus `nanos` (10^-9 units) of the same sign."""

    currency_code: str = ""
    units: int = 0
    nanos: int = 0


class Product(msgspec.Struct):
    """One catalog entry."""

    id: str
    name: str
    description: str
    picture: str
    price_usd: Money
    categories: list[str] = msgspec.field(default_factory=list)


class CartItem(msgspec.Struct):
    """A product id and how many of it."""

    product_id: str
    quantity: int


class Cart(msgspec.Struct):
    """A user's cart."""

    user_id: str
    items: list[CartItem] = msgspec.field(default_factory=list)


class Address(msgspec.Struct):
    """A shipping address."""

    street_address: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    zip_code: int = 0


class CreditCardInfo(msgspec.Struct):
    """A payment card as typed into the checkout form."""

    credit_card_number: str
    credit_card_cvv: int
    credit_card_expiration_year: int
    credit_card_expiration_month: int


class OrderItem(msgspec.Struct):
    """An ordered item and its unit cost in the user's currency."""

    item: CartItem
    cost: Money


class OrderResult(msgspec.Struct):
    """What PlaceOrder returns and the confirmation email shows."""

    order_id: str
    shipping_tracking_id: str
    shipping_cost: Money
    shipping_address: Address
    items: list[OrderItem] = msgspec.field(default_factory=list)


class Ad(msgspec.Struct):
    """A text ad linking to a page of the shop."""

    redirect_url: str
    text: str
