"""The shop's layout as the stylesheet should make it, measured in the browser (CSS pixels).

Boxes come from `getBoundingClientRect()`; "one row" means vertically overlapping boxes laid
out left to right. These fail when the stylesheet is missing, not applied, or regresses to the
stacked, unstyled look (header items on three lines, a visible "Currency" label, footer links as
a bulleted list, the product squeezed into a narrow cell).
"""

from __future__ import annotations

from typing import Any

from selenium import webdriver

_BOXES = """const out = {};
for (const [name, css] of Object.entries(arguments[0])) {
  out[name] = Array.from(document.querySelectorAll(css)).map(e => {
    const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
            list: getComputedStyle(e).listStyleType};
  });
}
out.page = [{width: document.documentElement.scrollWidth, window: window.innerWidth}];
return out;"""

Box = dict[str, Any]


def boxes(driver: webdriver.Chrome, selectors: dict[str, str]) -> dict[str, list[Box]]:
    found: dict[str, list[Box]] = driver.execute_script(_BOXES, selectors)
    return found


def _one(found: dict[str, list[Box]], name: str) -> Box:
    assert len(found[name]) == 1, f"{name}: {len(found[name])} elements"
    return found[name][0]


def in_one_row(row: list[Box], what: str) -> None:
    """Boxes left to right, each overlapping the previous one vertically."""
    for a, b in zip(row, row[1:], strict=False):
        assert a["right"] <= b["left"] + 1, f"{what}: not left to right: {a} then {b}"
        assert a["top"] < b["bottom"] and b["top"] < a["bottom"], f"{what}: not in one row: {a} and {b}"


def check_common(driver: webdriver.Chrome, with_currency: bool) -> None:
    """Header in one row (logo left; currency, cart right), hidden label, inline footer links."""
    found = boxes(
        driver,
        {
            "logo": "header .navbar-brand",
            "currency": "header #currency_code",
            "label": "header label[for=currency_code]",
            "cart": "header .cart-link",
            "links": "footer .footer-links li",
        },
    )
    page = _one(found, "page")
    assert page["width"] <= page["window"], f"the page scrolls sideways: {page}"
    logo, cart = _one(found, "logo"), _one(found, "cart")
    header = [logo, _one(found, "currency"), cart] if with_currency else [logo, cart]
    in_one_row(header, "header")
    assert logo["left"] < page["window"] * 0.25 and cart["right"] > page["window"] * 0.75, f"header: {header}"
    assert logo["width"] >= 100 and logo["height"] >= 20, f"logo too small: {logo}"
    if with_currency:
        label = _one(found, "label")
        assert label["width"] <= 1 and label["height"] <= 1, f"the currency label shows: {label}"
    links = found["links"]
    assert len(links) >= 3, links
    in_one_row(links, "footer links")
    assert all(link["list"] == "none" for link in links), f"footer links are a bulleted list: {links}"


def check_grid(driver: webdriver.Chrome, css: str, columns: int) -> None:
    """Cards of a grid: `columns` a row, each at least 200 px wide."""
    cards = boxes(driver, {"cards": css})["cards"]
    assert len(cards) >= columns, f"{css}: {len(cards)} cards"
    in_one_row(cards[:columns], css)
    assert all(c["width"] >= 200 for c in cards), f"{css}: squeezed cards: {cards}"


def check_side_by_side(driver: webdriver.Chrome, left: str, right: str, min_width: float) -> None:
    """`left` beside `right`, both at least `min_width` px wide (not squeezed)."""
    found = boxes(driver, {"left": left, "right": right})
    a, b = _one(found, "left"), _one(found, "right")
    in_one_row([a, b], f"{left} | {right}")
    assert a["width"] >= min_width and b["width"] >= min_width, f"squeezed: {left} {a}, {right} {b}"


def check_stacked(driver: webdriver.Chrome, upper: str, lower: str) -> None:
    """`upper` above `lower`, each about as wide as the page's content (narrow screens)."""
    found = boxes(driver, {"upper": upper, "lower": lower})
    a, b, page = _one(found, "upper"), _one(found, "lower"), _one(found, "page")
    assert a["bottom"] <= b["top"] + 1, f"not stacked: {upper} {a}, {lower} {b}"
    assert min(a["width"], b["width"]) >= page["width"] * 0.8, f"not full width: {upper} {a}, {lower} {b}"
