"""Conversions between the shared msgspec model and hipstershop protobuf messages."""

from __future__ import annotations

from typing import Any

from apps.boutique.model import (
    Ad,
    Address,
    Cart,
    CartItem,
    CreditCardInfo,
    Money,
    OrderItem,
    OrderResult,
    Product,
)
from apps.boutique_grpc.stubs import pb


def money_to_pb(m: Money) -> Any:
    return pb.Money(currency_code=m.currency_code, units=m.units, nanos=m.nanos)


def money_from_pb(m: Any) -> Money:
    return Money(m.currency_code, m.units, m.nanos)


def product_to_pb(p: Product) -> Any:
    return pb.Product(
        id=p.id,
        name=p.name,
        description=p.description,
        picture=p.picture,
        price_usd=money_to_pb(p.price_usd),
        categories=p.categories,
    )


def product_from_pb(p: Any) -> Product:
    return Product(p.id, p.name, p.description, p.picture, money_from_pb(p.price_usd), list(p.categories))


def item_to_pb(i: CartItem) -> Any:
    return pb.CartItem(product_id=i.product_id, quantity=i.quantity)


def item_from_pb(i: Any) -> CartItem:
    return CartItem(i.product_id, i.quantity)


def items_from_pb(items: Any) -> list[CartItem]:
    return [CartItem(i.product_id, i.quantity) for i in items]


def cart_to_pb(c: Cart) -> Any:
    return pb.Cart(user_id=c.user_id, items=[item_to_pb(i) for i in c.items])


def cart_from_pb(c: Any) -> Cart:
    return Cart(c.user_id, items_from_pb(c.items))


def address_to_pb(a: Address) -> Any:
    return pb.Address(
        street_address=a.street_address, city=a.city, state=a.state, country=a.country, zip_code=a.zip_code
    )


def address_from_pb(a: Any) -> Address:
    return Address(a.street_address, a.city, a.state, a.country, a.zip_code)


def card_to_pb(c: CreditCardInfo) -> Any:
    return pb.CreditCardInfo(
        credit_card_number=c.credit_card_number,
        credit_card_cvv=c.credit_card_cvv,
        credit_card_expiration_year=c.credit_card_expiration_year,
        credit_card_expiration_month=c.credit_card_expiration_month,
    )


def card_from_pb(c: Any) -> CreditCardInfo:
    return CreditCardInfo(
        c.credit_card_number, c.credit_card_cvv, c.credit_card_expiration_year, c.credit_card_expiration_month
    )


def order_to_pb(o: OrderResult) -> Any:
    return pb.OrderResult(
        order_id=o.order_id,
        shipping_tracking_id=o.shipping_tracking_id,
        shipping_cost=money_to_pb(o.shipping_cost),
        shipping_address=address_to_pb(o.shipping_address),
        items=[pb.OrderItem(item=item_to_pb(i.item), cost=money_to_pb(i.cost)) for i in o.items],
    )


def order_from_pb(o: Any) -> OrderResult:
    return OrderResult(
        o.order_id,
        o.shipping_tracking_id,
        money_from_pb(o.shipping_cost),
        address_from_pb(o.shipping_address),
        [OrderItem(item_from_pb(i.item), money_from_pb(i.cost)) for i in o.items],
    )


def ad_to_pb(a: Ad) -> Any:
    return pb.Ad(redirect_url=a.redirect_url, text=a.text)


def ad_from_pb(a: Any) -> Ad:
    return Ad(a.redirect_url, a.text)
