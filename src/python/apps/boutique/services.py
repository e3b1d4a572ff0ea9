"""What each Online Boutique service looks like to its callers, independent of transport.

The frontend and the checkout/recommendation/cart logic are written against these protocols;
weaver `Ref`s, gRPC client adapters and the plain logic objects all satisfy them.
"""

from __future__ import annotations

from typing import Protocol

from apps.boutique.model import (
    Ad,
    Address,
    Cart,
    CartItem,
    CreditCardInfo,
    Money,
    OrderResult,
    Product,
)


class CartStoreClient(Protocol):
    """Key-value store of cart items by user id (Redis in the original)."""

    async def get(self, user_id: str) -> list[CartItem]: ...
    async def put(self, user_id: str, items: list[CartItem]) -> None: ...
    async def remove(self, user_id: str) -> bool: ...


class CartClient(Protocol):
    """Carts by user id."""

    async def add_item(self, user_id: str, item: CartItem) -> None: ...
    async def get_cart(self, user_id: str) -> Cart: ...
    async def empty_cart(self, user_id: str) -> None: ...


class CatalogClient(Protocol):
    """The product catalog."""

    async def list_products(self) -> list[Product]: ...
    async def get_product(self, product_id: str) -> Product: ...
    async def search_products(self, query: str) -> list[Product]: ...


class CurrencyClient(Protocol):
    """Currency codes and conversion."""

    async def get_supported_currencies(self) -> list[str]: ...
    async def convert(self, amount: Money, to_code: str) -> Money: ...


class PaymentClient(Protocol):
    """Charges a card and returns a transaction id."""

    async def charge(self, amount: Money, card: CreditCardInfo) -> str: ...


class ShippingClient(Protocol):
    """Shipping quotes and shipments."""

    async def get_quote(self, address: Address, items: list[CartItem]) -> Money: ...
    async def ship_order(self, address: Address, items: list[CartItem]) -> str: ...


class EmailClient(Protocol):
    """Order confirmation emails."""

    async def send_order_confirmation(self, email: str, order: OrderResult) -> None: ...


class CheckoutClient(Protocol):
    """Places an order for the user's cart."""

    async def place_order(
        self,
        user_id: str,
        user_currency: str,
        address: Address,
        email: str,
        card: CreditCardInfo,
    ) -> OrderResult: ...


class RecommendationClient(Protocol):
    """Product ids to recommend, excluding the given ones."""

    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]: ...


class AdClient(Protocol):
    """Ads for context keys (product categories)."""

    async def get_ads(self, context_keys: list[str]) -> list[Ad]: ...
