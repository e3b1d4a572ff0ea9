"""The services' protocols (`apps.boutique.services`) over Ray Serve deployment handles.

Arguments and replies are the domain's msgspec structs, pickled by Ray as a Ray team would pass
them. A logic error raised in a replica reaches the caller as Ray's `RayTaskError`; it is raised
again as the logic's own exception, so that every variant shows the same error.
"""

from __future__ import annotations

from typing import Any

from ray.exceptions import RayTaskError
from ray.serve.handle import DeploymentHandle

from apps.boutique import model as domain
from apps.boutique.logic.errors import BoutiqueError


class Service:
    """Calls to one deployment through its handle."""

    def __init__(self, handle: DeploymentHandle[Any]) -> None:
        self.handle = handle

    async def call(self, method: str, *args: Any) -> Any:
        try:
            return await getattr(self.handle, method).remote(*args)
        except RayTaskError as e:
            if isinstance(e.cause, BoutiqueError):
                raise e.cause from None
            raise


class CartStoreRay(Service):
    async def get(self, user_id: str) -> list[domain.CartItem]:
        return list(await self.call("get", user_id))

    async def put(self, user_id: str, items: list[domain.CartItem]) -> None:
        await self.call("put", user_id, items)

    async def remove(self, user_id: str) -> bool:
        return bool(await self.call("remove", user_id))


class CartRay(Service):
    async def add_item(self, user_id: str, item: domain.CartItem) -> None:
        await self.call("add_item", user_id, item)

    async def get_cart(self, user_id: str) -> domain.Cart:
        cart: domain.Cart = await self.call("get_cart", user_id)
        return cart

    async def empty_cart(self, user_id: str) -> None:
        await self.call("empty_cart", user_id)


class CatalogRay(Service):
    async def list_products(self) -> list[domain.Product]:
        return list(await self.call("list_products"))

    async def get_product(self, product_id: str) -> domain.Product:
        product: domain.Product = await self.call("get_product", product_id)
        return product

    async def search_products(self, query: str) -> list[domain.Product]:
        return list(await self.call("search_products", query))


class CurrencyRay(Service):
    async def get_supported_currencies(self) -> list[str]:
        return list(await self.call("get_supported_currencies"))

    async def convert(self, amount: domain.Money, to_code: str) -> domain.Money:
        money: domain.Money = await self.call("convert", amount, to_code)
        return money


class PaymentRay(Service):
    async def charge(self, amount: domain.Money, card: domain.CreditCardInfo) -> str:
        return str(await self.call("charge", amount, card))


class ShippingRay(Service):
    async def get_quote(self, address: domain.Address, items: list[domain.CartItem]) -> domain.Money:
        money: domain.Money = await self.call("get_quote", address, items)
        return money

    async def ship_order(self, address: domain.Address, items: list[domain.CartItem]) -> str:
        return str(await self.call("ship_order", address, items))


class EmailRay(Service):
    async def send_order_confirmation(self, email: str, order: domain.OrderResult) -> None:
        await self.call("send_order_confirmation", email, order)


class CheckoutRay(Service):
    async def place_order(self, user_id: str, user_currency: str, address: domain.Address, email: str,
                          card: domain.CreditCardInfo) -> domain.OrderResult:  # fmt: skip
        order: domain.OrderResult = await self.call("place_order", user_id, user_currency, address, email, card)
        return order


class RecommendationRay(Service):
    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        return list(await self.call("list_recommendations", user_id, product_ids))


class AdRay(Service):
    async def get_ads(self, context_keys: list[str]) -> list[domain.Ad]:
        return list(await self.call("get_ads", context_keys))
