"""The frontend's pages: the same backend calls, in the same order, as the original.

Every call is awaited in sequence. Ads have a 100 ms budget and never fail a page.
"""

from __future__ import annotations

import datetime
import logging
import random
from typing import Any, NamedTuple

from apps.boutique.frontend.bounded import bounded
from apps.boutique.frontend.forms import SUPPORTED_CURRENCIES, parse_add_to_cart, parse_checkout, parse_currency
from apps.boutique.frontend.render import Renderer
from apps.boutique.frontend.services import FrontendServices
from apps.boutique.frontend.web import Request, Response, redirect
from apps.boutique.logic import money
from apps.boutique.logic.rand import make_rng
from apps.boutique.model import Ad, Address, CartItem, Money, Product

log = logging.getLogger("boutique.frontend")

SESSION_COOKIE = "shop_session-id"
CURRENCY_COOKIE = "shop_currency"
COOKIE_MAX_AGE = 60 * 60 * 48
DEFAULT_CURRENCY = "USD"
SHOWN_CURRENCIES = SUPPORTED_CURRENCIES
AD_TIMEOUT = 0.1
MAX_RECOMMENDATIONS_SHOWN = 4


class PricedProduct(NamedTuple):
    """A product with its price in the user's currency (`item`, `price` in the templates)."""

    item: Product
    price: Money


class CartLine(NamedTuple):
    """A cart line: the product, its quantity and the line's price in the user's currency."""

    item: Product
    quantity: int
    price: Money


def user_currency(req: Request) -> str:
    """The currency from the cookie, or USD if it names none the shop supports."""
    code = req.cookies.get(CURRENCY_COOKIE, "")
    return code if code in SUPPORTED_CURRENCIES else DEFAULT_CURRENCY


def cart_size(items: list[CartItem]) -> int:
    """The number of units in a cart."""
    return sum(i.quantity for i in items)


class Pages:
    """Page handlers; each takes the request and the user's session id."""

    def __init__(self, services: FrontendServices, rng: random.Random | None = None) -> None:
        self.s = services
        self._render = Renderer()
        self._rng = rng or make_rng("frontend")

    def page(self, name: str, req: Request, session_id: str, **ctx: Any) -> Response:
        """Render a page with the context every page gets."""
        body = self._render.render(
            name,
            session_id=session_id,
            user_currency=user_currency(req),
            **ctx,
        )
        return Response(body=body)

    async def home(self, req: Request, session_id: str) -> Response:
        cur = user_currency(req)
        currencies = await self.s.currency.get_supported_currencies()
        products = await self.s.catalog.list_products()
        cart = await self.s.cart.get_cart(session_id)
        shown: list[PricedProduct] = []
        for p in products:
            price = await self.s.currency.convert(p.price_usd, cur)
            shown.append(PricedProduct(p, price))
        ad = await self.choose_ad([])
        return self.page(
            "home.html",
            req,
            session_id,
            show_currency=True,
            currencies=filter_currencies(currencies),
            products=shown,
            cart_size=cart_size(cart.items),
            ad=ad,
        )

    async def product(self, req: Request, session_id: str, product_id: str) -> Response:
        cur = user_currency(req)
        p = await self.s.catalog.get_product(product_id)
        currencies = await self.s.currency.get_supported_currencies()
        cart = await self.s.cart.get_cart(session_id)
        price = await self.s.currency.convert(p.price_usd, cur)
        recs = await self.recommendations(session_id, [product_id])
        ad = await self.choose_ad(p.categories)
        return self.page(
            "product.html",
            req,
            session_id,
            show_currency=True,
            currencies=filter_currencies(currencies),
            product=PricedProduct(p, price),
            recommendations=recs,
            cart_size=cart_size(cart.items),
            ad=ad,
        )

    async def add_to_cart(self, req: Request, session_id: str) -> Response:
        product_id, quantity = parse_add_to_cart(req.form())
        p = await self.s.catalog.get_product(product_id)
        await self.s.cart.add_item(session_id, CartItem(p.id, quantity))
        return redirect("/cart")

    async def empty_cart(self, req: Request, session_id: str) -> Response:
        await self.s.cart.empty_cart(session_id)
        return redirect("/")

    async def view_cart(self, req: Request, session_id: str) -> Response:
        cur = user_currency(req)
        currencies = await self.s.currency.get_supported_currencies()
        cart = await self.s.cart.get_cart(session_id)
        recs = await self.recommendations(session_id, [i.product_id for i in cart.items])
        quote = await self.s.shipping.get_quote(Address(), cart.items)
        shipping_cost = await self.s.currency.convert(quote, cur)
        items: list[CartLine] = []
        total = Money(cur, 0, 0)
        for ci in cart.items:
            p = await self.s.catalog.get_product(ci.product_id)
            price = await self.s.currency.convert(p.price_usd, cur)
            line = money.multiply(price, ci.quantity)
            items.append(CartLine(p, ci.quantity, line))
            total = money.add(total, line)
        total = money.add(total, shipping_cost)
        year = datetime.date.today().year
        return self.page(
            "cart.html",
            req,
            session_id,
            show_currency=True,
            currencies=filter_currencies(currencies),
            recommendations=recs,
            cart_size=cart_size(cart.items),
            shipping_cost=shipping_cost,
            total_cost=total,
            items=items,
            expiration_years=list(range(year, year + 5)),
        )

    async def checkout(self, req: Request, session_id: str) -> Response:
        form = parse_checkout(req.form())
        cur = user_currency(req)
        order = await self.s.checkout.place_order(session_id, cur, form.address, form.email, form.card)
        recs = await self.recommendations(session_id, [])
        currencies = await self.s.currency.get_supported_currencies()
        total = order.shipping_cost
        for oi in order.items:
            total = money.add(total, money.multiply(oi.cost, oi.item.quantity))
        return self.page(
            "order.html",
            req,
            session_id,
            show_currency=False,
            currencies=filter_currencies(currencies),
            order=order,
            total_paid=total,
            recommendations=recs,
        )

    async def set_currency(self, req: Request, session_id: str) -> Response:
        code = parse_currency(req.form())
        resp = redirect(req.headers.get("referer") or "/")
        resp.set_cookie(CURRENCY_COOKIE, code, COOKIE_MAX_AGE)
        return resp

    async def logout(self, req: Request, session_id: str) -> Response:
        resp = redirect("/")
        for name in req.cookies:
            resp.set_cookie(name, "", -1)
        return resp

    async def recommendations(self, session_id: str, product_ids: list[str]) -> list[Product]:
        """ListRecommendations, then GetProduct for each id; shows at most four."""
        ids = await self.s.recommendation.list_recommendations(session_id, product_ids)
        out = [await self.s.catalog.get_product(i) for i in ids]
        return out[:MAX_RECOMMENDATIONS_SHOWN]

    async def choose_ad(self, context_keys: list[str]) -> Ad | None:
        """One of the ads for the keys, or None if the ad service fails or is too slow."""
        try:
            ads = await bounded(self.s.ad.get_ads(context_keys), AD_TIMEOUT)
        except Exception:  # noqa: BLE001 - ads are optional, as in the original
            log.warning("failed to retrieve ads", exc_info=True)
            return None
        return self._rng.choice(ads) if ads else None

    def error(self, req: Request, session_id: str, status: int, message: str) -> Response:
        """The error page."""
        resp = self.page("error.html", req, session_id, show_currency=False, status_code=status, error=message)
        resp.status = status
        return resp


def filter_currencies(codes: list[str]) -> list[str]:
    """The supported codes the UI offers, in the service's order."""
    return [c for c in codes if c in SHOWN_CURRENCIES]
