"""The shop on a narrow screen (a phone's width): nothing scrolls sideways, columns stack.

The same colocated shop as shop_test.py, in a 500 px wide window (headless Chromium's smallest):
home, a product page, add to cart, the cart. On each page the header still fits in one row, the
images and stylesheet load (`PageChecks`), and the side-by-side parts of the desktop layout
stack; the cart's prices stay visible. Screenshots: narrow-NN-<page>.png beside the others.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import expected, layout
from browser.chrome import chrome
from browser.pageview import PageChecks, shots_dir, text_of, wait_for
from support.redis_server import RedisServer
from weaver import testing

WINDOW = (500, 900)
PRODUCT = "66VCHSJNUP"  # Tank Top
QUANTITY = 3


def browse(d: webdriver.Chrome, base: str, pages: PageChecks) -> None:
    pages.b.network.site = base + "/"
    d.get(base + "/")
    wait_for(d, ".products .card.product")
    layout.check_common(d, with_currency=True)
    pages.settle("home")

    d.find_element(By.CSS_SELECTOR, f'.products a[href="/product/{PRODUCT}"]').click()
    wait_for(d, ".product-detail .product-info")
    layout.check_common(d, with_currency=True)
    layout.check_stacked(d, ".product-detail .product-image", ".product-detail .product-info")
    pages.settle("product")

    Select(d.find_element(By.ID, "quantity")).select_by_value(str(QUANTITY))
    d.find_element(By.CSS_SELECTOR, "form.add-to-cart button[type=submit]").click()
    row = wait_for(d, "tr.cart-item")
    layout.check_common(d, with_currency=True)
    layout.check_stacked(d, "section.cart", "section.checkout")
    line = expected.line(PRODUCT, QUANTITY, "USD")
    assert text_of(row, ".price") == expected.shown(line)
    assert text_of(d, "tr.shipping .price") == expected.shown(expected.shipping("USD"))
    assert text_of(d, "tr.total .price") == expected.shown(expected.total([line], "USD"))
    pages.settle("cart")
    pages.check_session()


async def test_on_a_narrow_screen_nothing_scrolls_sideways_and_columns_stack(
    tmp_path: Path, redis: RedisServer
) -> None:
    shots = shots_dir(tmp_path / "shots", prefix="narrow-")
    config = {"apps.boutique.cartstore.CartStore": {"redis": redis.address}}
    async with testing.start("apps.boutique", config=config) as app:
        await app.start_main()
        with chrome(tmp_path, window=WINDOW) as b:
            pages = PageChecks(b, shots, prefix="narrow-")
            await asyncio.to_thread(browse, b.driver, f"http://{app.listener('boutique').address}", pages)
    assert [p.name for p in pages.saved] == ["narrow-01-home.png", "narrow-02-product.png", "narrow-03-cart.png"]
