"""A fixed shopping session, used to check that every variant serves the same pages.

home -> set currency -> product -> add to cart (-> cart) -> cart -> checkout (order page).
Pages are normalized so that ids that are random by nature (order, transaction) do not
matter; with `BOUTIQUE_SEED` set, recommendations, ads and tracking ids are deterministic.
"""

from __future__ import annotations

import re
from typing import Protocol

from apps.boutique.frontend.pages import SESSION_COOKIE

SESSION_ID = "3b6c7a6e-0a8b-4b7e-9f55-2f1f0e0c0d01"

CHECKOUT_FORM = {
    "email": "someone@example.com",
    "street_address": "1600 Amphitheatre Parkway",
    "zip_code": "94043",
    "city": "Mountain View",
    "state": "CA",
    "country": "United States",
    "credit_card_number": "4432-8015-6152-0454",
    "credit_card_expiration_month": "1",
    "credit_card_expiration_year": "2039",
    "credit_card_cvv": "672",
}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RANDOM_SECTIONS = re.compile(r'<section class="(recommendations|ad)".*?</section>', re.S)


class Page(Protocol):
    """What the session needs of a response."""

    @property
    def status(self) -> int: ...
    @property
    def text(self) -> str: ...


class Browser(Protocol):
    """A client that keeps cookies (in-process ASGI or real HTTP)."""

    cookies: dict[str, str]

    async def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
    ) -> Page: ...


def normalize(html: str) -> str:
    """The page with uuids masked (order ids differ between runs by design)."""
    return _UUID.sub("<uuid>", html)


def without_random_sections(html: str) -> str:
    """The page without its recommendations and ad, for runs that draw different numbers."""
    return _RANDOM_SECTIONS.sub("<random/>", html)


async def run_session(browser: Browser) -> list[tuple[str, int, str]]:
    """Run the session; return (step, status, normalized page) per step."""
    browser.cookies[SESSION_COOKIE] = SESSION_ID
    steps: list[tuple[str, int, str]] = []

    async def step(
        name: str, method: str, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        page = await browser.request(method, path, form, headers, follow=True)
        steps.append((name, page.status, normalize(page.text)))

    await step("home", "GET", "/")
    await step("set_currency", "POST", "/setCurrency", {"currency_code": "EUR"}, {"referer": "/"})
    await step("product", "GET", "/product/OLJCESPC7Z")
    await step("add_to_cart", "POST", "/cart", {"product_id": "66VCHSJNUP", "quantity": "3"})
    await step("add_more", "POST", "/cart", {"product_id": "66VCHSJNUP", "quantity": "2"})
    await step("cart", "GET", "/cart")
    await step("checkout", "POST", "/cart/checkout", CHECKOUT_FORM)
    await step("empty_cart_after_order", "GET", "/cart")
    return steps


async def check_errors_cross(browser: Browser, not_found: str) -> None:
    """A backend's error reaches the page as a 500 that names it (`not_found`: as the transport
    words it), and the frontend's health check still answers: the same check for every variant."""
    page = await browser.request("GET", "/product/NOPE")
    assert page.status == 500 and not_found in page.text, (page.status, page.text[:500])
    page = await browser.request("GET", "/_healthz")
    assert page.status == 200, page.status
