"""Pydantic models of the shop's types: what FastAPI validates every request body against.

The shared logic works on the msgspec structs of `apps.boutique.model`; `to_model` and
`from_model` convert at the service's edges, as a FastAPI team converts between its API models
and its domain types.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from pydantic import BaseModel, Field

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Money(BaseModel):
    currency_code: str = ""
    units: int = 0
    nanos: int = 0


class Product(BaseModel):
    id: str
    name: str
    description: str
    picture: str
    price_usd: Money
    categories: list[str] = Field(default_factory=list)


class CartItem(BaseModel):
    product_id: str
    quantity: int


class Cart(BaseModel):
    user_id: str
    items: list[CartItem] = Field(default_factory=list)


class Address(BaseModel):
    street_address: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    zip_code: int = 0


class CreditCardInfo(BaseModel):
    credit_card_number: str
    credit_card_cvv: int
    credit_card_expiration_year: int
    credit_card_expiration_month: int


class OrderItem(BaseModel):
    item: CartItem
    cost: Money


class OrderResult(BaseModel):
    order_id: str
    shipping_tracking_id: str
    shipping_cost: Money
    shipping_address: Address
    items: list[OrderItem] = Field(default_factory=list)


class Ad(BaseModel):
    redirect_url: str
    text: str


# Request and reply bodies, one per call that takes more than a path parameter.
class Items(BaseModel):
    items: list[CartItem]


class AddItem(BaseModel):
    item: CartItem


class Convert(BaseModel):
    amount: Money
    to_code: str


class Charge(BaseModel):
    amount: Money
    card: CreditCardInfo


class Shipment(BaseModel):
    address: Address
    items: list[CartItem]


class Confirmation(BaseModel):
    email: str
    order: OrderResult


class PlaceOrder(BaseModel):
    user_id: str
    user_currency: str
    address: Address
    email: str
    card: CreditCardInfo


class Recommend(BaseModel):
    user_id: str
    product_ids: list[str]


class AdsFor(BaseModel):
    context_keys: list[str]


class Text(BaseModel):
    value: str


class Texts(BaseModel):
    values: list[str]


class Removed(BaseModel):
    removed: bool


class Products(BaseModel):
    products: list[Product]


class AdList(BaseModel):
    ads: list[Ad]


def to_model(value: Any, model: type[M]) -> M:
    """A domain struct (or a structure of them) as the pydantic model `model`."""
    return model.model_validate(msgspec.to_builtins(value))


def from_model(value: BaseModel, kind: type[T]) -> T:
    """A validated pydantic model as the domain type `kind`."""
    return msgspec.convert(value.model_dump(), type=kind)
