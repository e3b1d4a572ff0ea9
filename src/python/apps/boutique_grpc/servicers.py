"""Thin gRPC servicers: protobuf in, shared logic, protobuf out.

Plain classes (not subclasses of the generated, untyped base classes): the generated
`add_*Servicer_to_server` functions only look methods up by name.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from apps.boutique.logic.errors import InvalidArgumentError, NotFoundError, PaymentError
from apps.boutique.services import (
    AdClient,
    CartClient,
    CartStoreClient,
    CatalogClient,
    CheckoutClient,
    CurrencyClient,
    EmailClient,
    PaymentClient,
    RecommendationClient,
    ShippingClient,
)
from apps.boutique_grpc import convert as c
from apps.boutique_grpc.stubs import pb

Method = TypeVar("Method", bound=Callable[..., Awaitable[Any]])

_CODES: list[tuple[type[Exception], grpc.StatusCode]] = [
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (PaymentError, grpc.StatusCode.INVALID_ARGUMENT),
]


def rpc(fn: Method) -> Method:
    """Turn the logic's exceptions into gRPC status codes (INTERNAL for the unexpected)."""

    @functools.wraps(fn)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await fn(self, request, context)
        except Exception as e:  # noqa: BLE001 - every failure becomes a status
            code = next((code for t, code in _CODES if isinstance(e, t)), grpc.StatusCode.INTERNAL)
            await context.abort(code, f"{type(e).__name__}: {e}")

    return wrapper  # type: ignore[return-value]


class CartStoreServicer:
    def __init__(self, logic: CartStoreClient) -> None:
        self.logic = logic

    @rpc
    async def Get(self, request: Any, context: Any) -> Any:
        return pb.CartItems(items=[c.item_to_pb(i) for i in await self.logic.get(request.user_id)])

    @rpc
    async def Put(self, request: Any, context: Any) -> Any:
        await self.logic.put(request.user_id, c.items_from_pb(request.items))
        return pb.Empty()

    @rpc
    async def Remove(self, request: Any, context: Any) -> Any:
        return pb.RemoveCartResponse(removed=await self.logic.remove(request.user_id))


class CartServicer:
    def __init__(self, logic: CartClient) -> None:
        self.logic = logic

    @rpc
    async def AddItem(self, request: Any, context: Any) -> Any:
        await self.logic.add_item(request.user_id, c.item_from_pb(request.item))
        return pb.Empty()

    @rpc
    async def GetCart(self, request: Any, context: Any) -> Any:
        return c.cart_to_pb(await self.logic.get_cart(request.user_id))

    @rpc
    async def EmptyCart(self, request: Any, context: Any) -> Any:
        await self.logic.empty_cart(request.user_id)
        return pb.Empty()


class CatalogServicer:
    def __init__(self, logic: CatalogClient) -> None:
        self.logic = logic

    @rpc
    async def ListProducts(self, request: Any, context: Any) -> Any:
        return pb.ListProductsResponse(products=[c.product_to_pb(p) for p in await self.logic.list_products()])

    @rpc
    async def GetProduct(self, request: Any, context: Any) -> Any:
        return c.product_to_pb(await self.logic.get_product(request.id))

    @rpc
    async def SearchProducts(self, request: Any, context: Any) -> Any:
        found = await self.logic.search_products(request.query)
        return pb.SearchProductsResponse(results=[c.product_to_pb(p) for p in found])


class CurrencyServicer:
    def __init__(self, logic: CurrencyClient) -> None:
        self.logic = logic

    @rpc
    async def GetSupportedCurrencies(self, request: Any, context: Any) -> Any:
        return pb.GetSupportedCurrenciesResponse(currency_codes=await self.logic.get_supported_currencies())

    @rpc
    async def Convert(self, request: Any, context: Any) -> Any:
        from_ = getattr(request, "from")  # `from` is a Python keyword
        return c.money_to_pb(await self.logic.convert(c.money_from_pb(from_), request.to_code))


class PaymentServicer:
    def __init__(self, logic: PaymentClient) -> None:
        self.logic = logic

    @rpc
    async def Charge(self, request: Any, context: Any) -> Any:
        tid = await self.logic.charge(c.money_from_pb(request.amount), c.card_from_pb(request.credit_card))
        return pb.ChargeResponse(transaction_id=tid)


class ShippingServicer:
    def __init__(self, logic: ShippingClient) -> None:
        self.logic = logic

    @rpc
    async def GetQuote(self, request: Any, context: Any) -> Any:
        quote = await self.logic.get_quote(c.address_from_pb(request.address), c.items_from_pb(request.items))
        return pb.GetQuoteResponse(cost_usd=c.money_to_pb(quote))

    @rpc
    async def ShipOrder(self, request: Any, context: Any) -> Any:
        tid = await self.logic.ship_order(c.address_from_pb(request.address), c.items_from_pb(request.items))
        return pb.ShipOrderResponse(tracking_id=tid)


class EmailServicer:
    def __init__(self, logic: EmailClient) -> None:
        self.logic = logic

    @rpc
    async def SendOrderConfirmation(self, request: Any, context: Any) -> Any:
        await self.logic.send_order_confirmation(request.email, c.order_from_pb(request.order))
        return pb.Empty()


class CheckoutServicer:
    def __init__(self, logic: CheckoutClient) -> None:
        self.logic = logic

    @rpc
    async def PlaceOrder(self, request: Any, context: Any) -> Any:
        order = await self.logic.place_order(
            request.user_id,
            request.user_currency,
            c.address_from_pb(request.address),
            request.email,
            c.card_from_pb(request.credit_card),
        )
        return pb.PlaceOrderResponse(order=c.order_to_pb(order))


class RecommendationServicer:
    def __init__(self, logic: RecommendationClient) -> None:
        self.logic = logic

    @rpc
    async def ListRecommendations(self, request: Any, context: Any) -> Any:
        ids = await self.logic.list_recommendations(request.user_id, list(request.product_ids))
        return pb.ListRecommendationsResponse(product_ids=ids)


class AdServicer:
    def __init__(self, logic: AdClient) -> None:
        self.logic = logic

    @rpc
    async def GetAds(self, request: Any, context: Any) -> Any:
        ads = await self.logic.get_ads(list(request.context_keys))
        return pb.AdResponse(ads=[c.ad_to_pb(a) for a in ads])
