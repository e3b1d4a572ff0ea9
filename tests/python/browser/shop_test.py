"""The shop as a user sees it: headless Chromium browses the colocated shop, page by page.

Home, a currency change, a product page, add to cart, the cart, checkout and the order
confirmation. On every page: each image decoded, each stylesheet fetched and applied, no 4xx/5xx
or failed load in Chrome's network log, the prices shown are the catalog's, converted as the
shop converts them, and the layout is the stylesheet's (`layout`). Each page is saved as a PNG
(see docs/browser-test.md).

The shop runs in this test's event loop (weaver.testing, local mode: every component in one
process, carts in a real redis-server); selenium blocks, so the browsing runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import expected, layout
from browser.chrome import Browser, chrome
from browser.pageview import WAIT, PageChecks, shots_dir, text_of, wait_for
from support.redis_server import RedisServer
from weaver import testing

CURRENCY = "EUR"
PRODUCT = "OLJCESPC7Z"  # Sunglasses
QUANTITY = 2


def _check_home_prices(b: Browser, code: str) -> None:
    cards = b.driver.find_elements(By.CSS_SELECTOR, ".products .card.product")
    assert len(cards) == len(expected.PRODUCTS), f"{len(cards)} product cards, {len(expected.PRODUCTS)} products"
    for card in cards:
        product_id = str(card.find_element(By.CSS_SELECTOR, "a").get_attribute("href")).rsplit("/", 1)[-1]
        assert text_of(card, ".product-name") == expected.PRODUCTS[product_id].name
        assert text_of(card, ".price") == expected.shown(expected.price(product_id, code)), product_id


def browse(b: Browser, base: str, pages: PageChecks) -> None:
    """The user's visit; asserts as it goes."""
    d = b.driver
    b.network.site = base + "/"
    d.get(base + "/")
    wait_for(d, ".products .card.product")
    _check_home_prices(b, "USD")
    layout.check_common(d, with_currency=True)
    layout.check_grid(d, ".products .card.product", columns=3)
    pages.settle("home")

    old = d.find_element(By.ID, "currency_code")
    Select(old).select_by_value(CURRENCY)  # its onchange submits the form; the shop redirects back
    WebDriverWait(d, WAIT).until(ec.staleness_of(old))
    chosen = Select(wait_for(d, "#currency_code")).first_selected_option.get_attribute("value")
    assert chosen == CURRENCY
    _check_home_prices(b, CURRENCY)
    layout.check_common(d, with_currency=True)
    pages.settle("home-currency")

    d.find_element(By.CSS_SELECTOR, f'.products a[href="/product/{PRODUCT}"]').click()
    detail = wait_for(d, ".product-detail .product-info")
    assert text_of(detail, "h2") == expected.PRODUCTS[PRODUCT].name
    assert text_of(detail, ".price") == expected.shown(expected.price(PRODUCT, CURRENCY))
    layout.check_common(d, with_currency=True)
    layout.check_side_by_side(d, ".product-detail .product-image", ".product-detail .product-info", min_width=400)
    layout.check_grid(d, ".recommendations .card", columns=4)
    pages.settle("product")

    Select(d.find_element(By.ID, "quantity")).select_by_value(str(QUANTITY))
    d.find_element(By.CSS_SELECTOR, "form.add-to-cart button[type=submit]").click()
    row = wait_for(d, "tr.cart-item")
    assert d.current_url == base + "/cart"
    cells = [str(td.text).strip() for td in row.find_elements(By.TAG_NAME, "td")]
    line = expected.line(PRODUCT, QUANTITY, CURRENCY)
    assert cells[1:] == [expected.PRODUCTS[PRODUCT].name, f"#{PRODUCT}", str(QUANTITY), expected.shown(line)]
    assert len(d.find_elements(By.CSS_SELECTOR, "tr.cart-item")) == 1
    shipping = expected.shown(expected.shipping(CURRENCY))
    assert text_of(d.find_element(By.CSS_SELECTOR, "tr.shipping"), ".price") == shipping
    total = expected.total([line], CURRENCY)
    assert text_of(d.find_element(By.CSS_SELECTOR, "tr.total"), ".price") == expected.shown(total)
    assert text_of(d.find_element(By.TAG_NAME, "header"), ".cart-size") == f"({QUANTITY})"
    layout.check_common(d, with_currency=True)
    layout.check_side_by_side(d, "section.cart", "section.checkout", min_width=350)
    pages.settle("cart")

    d.find_element(By.CSS_SELECTOR, "form.checkout button[type=submit]").click()
    order = wait_for(d, "section.order")
    assert text_of(order, "h2") == "Your order is complete!"
    assert text_of(order, ".order-id") and text_of(order, ".tracking-id")
    summary = {
        str(r.find_element(By.TAG_NAME, "th").text): text_of(r, "td")
        for r in order.find_elements(By.CSS_SELECTOR, ".order-summary tr")
    }
    assert summary["Shipping cost"] == shipping
    assert summary["Total paid"] == expected.shown(total)
    rows = order.find_elements(By.CSS_SELECTOR, "table.items:not(.order-summary) tbody tr")
    items = [[str(td.text) for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    assert items == [[f"#{PRODUCT}", str(QUANTITY), expected.shown(expected.price(PRODUCT, CURRENCY))]]
    layout.check_common(d, with_currency=False)
    pages.settle("order")

    d.find_element(By.CSS_SELECTOR, 'header a[href="/cart"]').click()  # the order emptied the cart
    assert text_of(wait_for(d, "section.empty-cart"), "h2") == "Your shopping cart is empty!"
    assert not d.find_elements(By.CSS_SELECTOR, "header .cart-size")
    layout.check_common(d, with_currency=True)
    pages.settle("cart-empty")
    pages.check_session()


async def test_a_user_browses_buys_and_every_page_loads_with_right_prices(tmp_path: Path, redis: RedisServer) -> None:
    shots = shots_dir(tmp_path / "shots")
    config = {"apps.boutique.cartstore.CartStore": {"redis": redis.address}}
    async with testing.start("apps.boutique", config=config) as app:
        await app.start_main()
        address = app.listener("boutique").address
        assert address.startswith("127.0.0.1:"), address
        with chrome(tmp_path) as b:
            pages = PageChecks(b, shots)
            try:
                await asyncio.to_thread(browse, b, f"http://{address}", pages)
            except Exception:
                with contextlib.suppress(Exception):  # the failure is what matters, not its picture
                    print(f"failed on this page: {await asyncio.to_thread(pages.screenshot, 'failed')}")
                raise
    assert [p.name for p in pages.saved] == [
        "01-home.png",
        "02-home-currency.png",
        "03-product.png",
        "04-cart.png",
        "05-order.png",
        "06-cart-empty.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in pages.saved), [(p, p.stat().st_size) for p in pages.saved]
