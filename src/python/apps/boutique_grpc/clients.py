"""Client adapters: the services' protocols implemented over grpc.aio stubs."""

from __future__ import annotations

from typing import Any

from apps.boutique.model import Ad, Address, Cart, CartItem, CreditCardInfo, Money, OrderResult, Product
from apps.boutique_grpc import convert as c
from apps.boutique_grpc.stubs import pb, pb_grpc

Channel = Any  # grpc.aio.Channel (grpcio is untyped)


class CartStoreGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.CartStoreStub(channel)

    async def get(self, user_id: str) -> list[CartItem]:
        return c.items_from_pb((await self._stub.Get(pb.UserId(user_id=user_id))).items)

    async def put(self, user_id: str, items: list[CartItem]) -> None:
        await self._stub.Put(pb.PutCartRequest(user_id=user_id, items=[c.item_to_pb(i) for i in items]))

    async def remove(self, user_id: str) -> bool:
        return bool((await self._stub.Remove(pb.UserId(user_id=user_id))).removed)


class CartGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.CartServiceStub(channel)

    async def add_item(self, user_id: str, item: CartItem) -> None:
        await self._stub.AddItem(pb.AddItemRequest(user_id=user_id, item=c.item_to_pb(item)))

    async def get_cart(self, user_id: str) -> Cart:
        return c.cart_from_pb(await self._stub.GetCart(pb.GetCartRequest(user_id=user_id)))

    async def empty_cart(self, user_id: str) -> None:
        await self._stub.EmptyCart(pb.EmptyCartRequest(user_id=user_id))


class CatalogGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.ProductCatalogServiceStub(channel)

    async def list_products(self) -> list[Product]:
        return [c.product_from_pb(p) for p in (await self._stub.ListProducts(pb.Empty())).products]

    async def get_product(self, product_id: str) -> Product:
        return c.product_from_pb(await self._stub.GetProduct(pb.GetProductRequest(id=product_id)))

    async def search_products(self, query: str) -> list[Product]:
        resp = await self._stub.SearchProducts(pb.SearchProductsRequest(query=query))
        return [c.product_from_pb(p) for p in resp.results]


class CurrencyGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.CurrencyServiceStub(channel)

    async def get_supported_currencies(self) -> list[str]:
        return list((await self._stub.GetSupportedCurrencies(pb.Empty())).currency_codes)

    async def convert(self, amount: Money, to_code: str) -> Money:
        req = pb.CurrencyConversionRequest(to_code=to_code, **{"from": c.money_to_pb(amount)})
        return c.money_from_pb(await self._stub.Convert(req))


class PaymentGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.PaymentServiceStub(channel)

    async def charge(self, amount: Money, card: CreditCardInfo) -> str:
        req = pb.ChargeRequest(amount=c.money_to_pb(amount), credit_card=c.card_to_pb(card))
        return str((await self._stub.Charge(req)).transaction_id)


class ShippingGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.ShippingServiceStub(channel)

    async def get_quote(self, address: Address, items: list[CartItem]) -> Money:
        req = pb.GetQuoteRequest(address=c.address_to_pb(address), items=[c.item_to_pb(i) for i in items])
        return c.money_from_pb((await self._stub.GetQuote(req)).cost_usd)

    async def ship_order(self, address: Address, items: list[CartItem]) -> str:
        req = pb.ShipOrderRequest(address=c.address_to_pb(address), items=[c.item_to_pb(i) for i in items])
        return str((await self._stub.ShipOrder(req)).tracking_id)


class EmailGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.EmailServiceStub(channel)

    async def send_order_confirmation(self, email: str, order: OrderResult) -> None:
        req = pb.SendOrderConfirmationRequest(email=email, order=c.order_to_pb(order))
        await self._stub.SendOrderConfirmation(req)


class CheckoutGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.CheckoutServiceStub(channel)

    async def place_order(
        self, user_id: str, user_currency: str, address: Address, email: str, card: CreditCardInfo
    ) -> OrderResult:
        req = pb.PlaceOrderRequest(
            user_id=user_id,
            user_currency=user_currency,
            address=c.address_to_pb(address),
            email=email,
            credit_card=c.card_to_pb(card),
        )
        return c.order_from_pb((await self._stub.PlaceOrder(req)).order)


class RecommendationGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.RecommendationServiceStub(channel)

    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        req = pb.ListRecommendationsRequest(user_id=user_id, product_ids=product_ids)
        return list((await self._stub.ListRecommendations(req)).product_ids)


class AdGrpc:
    def __init__(self, channel: Channel) -> None:
        self._stub: Any = pb_grpc.AdServiceStub(channel)

    async def get_ads(self, context_keys: list[str]) -> list[Ad]:
        return [c.ad_from_pb(a) for a in (await self._stub.GetAds(pb.AdRequest(context_keys=context_keys))).ads]
