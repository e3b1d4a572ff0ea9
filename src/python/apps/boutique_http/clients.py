"""The services' protocols (`apps.boutique.services`) over HTTP/JSON with httpx.

One `httpx.AsyncClient` per dependency, with its keep-alive pool, as a FastAPI team would write
it. Replies are validated with the same pydantic models, then converted to the domain types.
An error reply becomes the logic's exception again (404 -> NotFoundError, 400 -> the refused
payment or invalid argument), with the service's message.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from apps.boutique import model as domain
from apps.boutique.logic.errors import InvalidArgumentError, NotFoundError, PaymentError
from apps.boutique_http import models as m
from apps.boutique_http.models import from_model, to_model

M = TypeVar("M", bound=BaseModel)
TIMEOUT_S = 10.0


def client(port: int) -> httpx.AsyncClient:
    """A pooled keep-alive client for the service on 127.0.0.1:`port`."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT_S, limits=limits)


class Service:
    """Calls to one service: JSON in, a validated model out, errors raised."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(self, method: str, path: str, reply: type[M] | None = None, body: BaseModel | None = None,
                   params: dict[str, str] | None = None) -> Any:  # fmt: skip
        content = None if body is None else body.model_dump_json()
        headers = {"content-type": "application/json"} if content is not None else None
        r = await self.http.request(method, path, content=content, headers=headers, params=params)
        if r.status_code >= 400:
            detail = _detail(r)
            if r.status_code == 404:
                raise NotFoundError(detail)
            if r.status_code == 400:
                raise (PaymentError if detail.startswith("PaymentError") else InvalidArgumentError)(detail)
            raise RuntimeError(f"{r.request.url} answered {r.status_code}: {detail}")
        return None if reply is None else reply.model_validate_json(r.content)


def _detail(r: httpx.Response) -> str:
    try:
        return str(r.json().get("detail", r.text))
    except ValueError:
        return r.text[:500]


class CartStoreHttp(Service):
    async def get(self, user_id: str) -> list[domain.CartItem]:
        items = await self.call("GET", f"/carts/{user_id}", m.Items)
        return [from_model(i, domain.CartItem) for i in items.items]

    async def put(self, user_id: str, items: list[domain.CartItem]) -> None:
        await self.call("PUT", f"/carts/{user_id}", body=m.Items(items=[to_model(i, m.CartItem) for i in items]))

    async def remove(self, user_id: str) -> bool:
        return bool((await self.call("DELETE", f"/carts/{user_id}", m.Removed)).removed)


class CartHttp(Service):
    async def add_item(self, user_id: str, item: domain.CartItem) -> None:
        await self.call("POST", f"/carts/{user_id}/items", body=m.AddItem(item=to_model(item, m.CartItem)))

    async def get_cart(self, user_id: str) -> domain.Cart:
        return from_model(await self.call("GET", f"/carts/{user_id}", m.Cart), domain.Cart)

    async def empty_cart(self, user_id: str) -> None:
        await self.call("DELETE", f"/carts/{user_id}")


class CatalogHttp(Service):
    async def list_products(self) -> list[domain.Product]:
        return [from_model(p, domain.Product) for p in (await self.call("GET", "/products", m.Products)).products]

    async def get_product(self, product_id: str) -> domain.Product:
        return from_model(await self.call("GET", f"/products/{product_id}", m.Product), domain.Product)

    async def search_products(self, query: str) -> list[domain.Product]:
        found = await self.call("GET", "/search", m.Products, params={"q": query})
        return [from_model(p, domain.Product) for p in found.products]


class CurrencyHttp(Service):
    async def get_supported_currencies(self) -> list[str]:
        return list((await self.call("GET", "/currencies", m.Texts)).values)

    async def convert(self, amount: domain.Money, to_code: str) -> domain.Money:
        body = m.Convert(amount=to_model(amount, m.Money), to_code=to_code)
        return from_model(await self.call("POST", "/convert", m.Money, body), domain.Money)


class PaymentHttp(Service):
    async def charge(self, amount: domain.Money, card: domain.CreditCardInfo) -> str:
        body = m.Charge(amount=to_model(amount, m.Money), card=to_model(card, m.CreditCardInfo))
        return str((await self.call("POST", "/charge", m.Text, body)).value)


class ShippingHttp(Service):
    def _body(self, address: domain.Address, items: list[domain.CartItem]) -> m.Shipment:
        return m.Shipment(address=to_model(address, m.Address), items=[to_model(i, m.CartItem) for i in items])

    async def get_quote(self, address: domain.Address, items: list[domain.CartItem]) -> domain.Money:
        return from_model(await self.call("POST", "/quote", m.Money, self._body(address, items)), domain.Money)

    async def ship_order(self, address: domain.Address, items: list[domain.CartItem]) -> str:
        return str((await self.call("POST", "/ship", m.Text, self._body(address, items))).value)


class EmailHttp(Service):
    async def send_order_confirmation(self, email: str, order: domain.OrderResult) -> None:
        body = m.Confirmation(email=email, order=to_model(order, m.OrderResult))
        await self.call("POST", "/confirmations", body=body)


class CheckoutHttp(Service):
    async def place_order(self, user_id: str, user_currency: str, address: domain.Address, email: str,
                          card: domain.CreditCardInfo) -> domain.OrderResult:  # fmt: skip
        body = m.PlaceOrder(user_id=user_id, user_currency=user_currency, address=to_model(address, m.Address),
                            email=email, card=to_model(card, m.CreditCardInfo))  # fmt: skip
        return from_model(await self.call("POST", "/orders", m.OrderResult, body), domain.OrderResult)


class RecommendationHttp(Service):
    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        body = m.Recommend(user_id=user_id, product_ids=product_ids)
        return list((await self.call("POST", "/recommendations", m.Texts, body)).values)


class AdHttp(Service):
    async def get_ads(self, context_keys: list[str]) -> list[domain.Ad]:
        ads = await self.call("POST", "/ads", m.AdList, m.AdsFor(context_keys=context_keys))
        return [from_model(a, domain.Ad) for a in ads.ads]
