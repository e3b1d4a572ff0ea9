"""The split boutique for the dashboard's tests: its config, the calls each page makes, a driver.

`CALLS` is the notes' "calls per page" table (shared/notes/online-boutique.md) written per
(caller, callee, method) for weaver's port: recommendations are always 5 of the 9 products
(each then fetched with GetProduct), and the cart store is the CartService's own component.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import msgspec

from apps.boutique.frontend.pages import SESSION_COOKIE
from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import CHECKOUT_FORM
from support import rawhttp
from weaver.dashboard.model import Overview
from weaver.testing.eventually import eventually

CONFIG = """[weaver]
colocate = []

[weaver.listeners.boutique]
address = "127.0.0.1:0"

[weaver.metrics]
report_interval = 0.1
remote_sample = 1

[weaver.tracing]
sample_ratio = 0.0
"""
"""Every component its own group (split.toml's shape); every remote call timed; only requests
with a sampled traceparent traced."""

B = "apps.boutique."
MAIN = "weaver.Main"
AD, CART, STORE = B + "ad.AdService", B + "cart.CartService", B + "cartstore.CartStore"
CATALOG, CHECKOUT = B + "catalog.CatalogService", B + "checkout.CheckoutService"
CURRENCY = B + "currency.CurrencyService"
EMAIL, PAYMENT = B + "email.EmailService", B + "payment.PaymentService"
RECS, SHIPPING = B + "recommendation.RecommendationService", B + "shipping.ShippingService"
COMPONENTS = {MAIN, AD, CART, STORE, CATALOG, CHECKOUT, CURRENCY, EMAIL, PAYMENT, RECS, SHIPPING}

Call = tuple[str, str, str]  # caller, callee, method
RECS_SHOWN = {(MAIN, RECS, "list_recommendations"): 1, (RECS, CATALOG, "list_products"): 1,
              (MAIN, CATALOG, "get_product"): 5}  # fmt: skip

CALLS: dict[str, Counter[Call]] = {
    "home": Counter({
        (MAIN, CURRENCY, "get_supported_currencies"): 1, (MAIN, CATALOG, "list_products"): 1,
        (MAIN, CART, "get_cart"): 1, (CART, STORE, "get"): 1, (MAIN, CURRENCY, "convert"): 9,
        (MAIN, AD, "get_ads"): 1,
    }),
    "product": Counter({
        (MAIN, CATALOG, "get_product"): 1, (MAIN, CURRENCY, "get_supported_currencies"): 1,
        (MAIN, CART, "get_cart"): 1, (CART, STORE, "get"): 1, (MAIN, CURRENCY, "convert"): 1,
        (MAIN, AD, "get_ads"): 1,
    }) + Counter(RECS_SHOWN),
    "add": Counter({
        (MAIN, CATALOG, "get_product"): 1, (MAIN, CART, "add_item"): 1, (CART, STORE, "get"): 1,
        (CART, STORE, "put"): 1,
    }),
    "cart": Counter({  # with one line in the cart
        (MAIN, CURRENCY, "get_supported_currencies"): 1, (MAIN, CART, "get_cart"): 1, (CART, STORE, "get"): 1,
        (MAIN, SHIPPING, "get_quote"): 1, (MAIN, CURRENCY, "convert"): 2, (MAIN, CATALOG, "get_product"): 1,
    }) + Counter(RECS_SHOWN),
    "checkout": Counter({  # of a cart with one line
        (MAIN, CHECKOUT, "place_order"): 1, (CHECKOUT, CART, "get_cart"): 1, (CART, STORE, "get"): 1,
        (CHECKOUT, CATALOG, "get_product"): 1, (CHECKOUT, CURRENCY, "convert"): 2,
        (CHECKOUT, SHIPPING, "get_quote"): 1, (CHECKOUT, PAYMENT, "charge"): 1,
        (CHECKOUT, SHIPPING, "ship_order"): 1, (CHECKOUT, CART, "empty_cart"): 1, (CART, STORE, "remove"): 1,
        (CHECKOUT, EMAIL, "send_order_confirmation"): 1, (MAIN, CURRENCY, "get_supported_currencies"): 1,
    }) + Counter(RECS_SHOWN),
}  # fmt: skip
VISIT = ["home", "product", "add", "cart", "checkout"]
"""One user's visit: the home page, a product, add it, the cart, check out (every component)."""


def expected(pages: Iterable[str]) -> Counter[Call]:
    out: Counter[Call] = Counter()
    for p in pages:
        out += CALLS[p]
    return out


async def visit(address: str, session: str, homes: int = 0, headers: dict[str, str] | None = None) -> list[str]:
    """`homes` extra home pages, then `VISIT` as user `session`; the pages in order. Redirects are
    not followed, so each request is one page of `CALLS`; every answer must be 200 or 302."""
    browser = HttpBrowser("http://" + address)
    browser.cookies[SESSION_COOKIE] = session
    done = []
    try:
        for page, method, path, form in [("home", "GET", "/", None)] * homes + [
            ("home", "GET", "/", None),
            ("product", "GET", "/product/OLJCESPC7Z", None),
            ("add", "POST", "/cart", {"product_id": "OLJCESPC7Z", "quantity": "2"}),
            ("cart", "GET", "/cart", None),
            ("checkout", "POST", "/cart/checkout", CHECKOUT_FORM),
        ]:
            extra = headers if page == "checkout" else None
            resp = await browser.request(method, path, form, extra)
            assert resp.status in (200, 302), f"{method} {path}: {resp.status} {resp.text[:300]}"
            done.append(page)
    finally:
        await browser.close()
    return done


async def overview(address: str) -> Overview:
    """GET /dashboard.json from `address` (a manager's endpoint or `weaver multi dashboard`)."""
    status, body = await rawhttp.get(address, "/dashboard.json")
    assert status == 200, body[:300]
    return msgspec.json.decode(body, type=Overview)


def calls(view: Overview) -> Counter[Call]:
    """Calls per (caller, callee, method) in the first deployment's graph, zeros left out."""
    (dep,) = view.deployments
    return Counter(
        {(e.caller, e.callee, m): f.calls for e in dep.graph.edges for m, f in e.methods.items() if f.calls}
    )


async def until_calls(endpoint: str, want: Counter[Call]) -> Overview:
    """The overview once its graph counts exactly `want` (bounded wait)."""
    async def reached() -> Overview:
        view = await overview(endpoint)
        assert calls(view) == want
        return view

    what = f"the dashboard's graph at {endpoint} to count {sum(want.values())} calls"
    return await eventually(reached, timeout=30, what=what, ignore=(AssertionError,))
