"""The prices a page must show: the shop's catalog data and the currency conversion it uses.

Each expected amount comes from the packaged products.json and currency_conversion.json through
the shop's own conversion (`convert`, the original's float and carry rules) and is checked once
more against an independent exact computation (Decimal, via EUR) to within a cent, so a broken
conversion cannot make the page and the expectation agree.
"""

from __future__ import annotations

from decimal import Decimal

from apps.boutique.frontend.render import CURRENCY_LOGOS
from apps.boutique.logic import money
from apps.boutique.logic.catalog import load_products
from apps.boutique.logic.currency import convert, load_rates
from apps.boutique.logic.shipping import QUOTE
from apps.boutique.model import Money, Product

PRODUCTS: dict[str, Product] = {p.id: p for p in load_products()}
RATES: dict[str, float] = load_rates()
CENT = Decimal("0.01")


def _exact(amount: Money) -> Decimal:
    return Decimal(amount.units) + Decimal(amount.nanos) / Decimal(1_000_000_000)


def converted(amount: Money, code: str) -> Money:
    """`amount` in `code` as the shop converts it, cross-checked against Decimal arithmetic."""
    got = convert(RATES, amount, code)
    rate = Decimal(str(RATES[code])) / Decimal(str(RATES[amount.currency_code]))
    want = _exact(amount) * rate
    if abs(_exact(got) - want) > CENT:
        raise AssertionError(f"conversion of {amount} to {code} gave {got}, expected about {want:.4f}")
    return got


def price(product_id: str, code: str) -> Money:
    """One unit of a product, in `code`."""
    return converted(PRODUCTS[product_id].price_usd, code)


def shipping(code: str) -> Money:
    """The flat shipping quote, in `code`."""
    return converted(QUOTE, code)


def line(product_id: str, quantity: int, code: str) -> Money:
    """A cart line: the unit price times the quantity."""
    return money.multiply(price(product_id, code), quantity)


def total(lines: list[Money], code: str) -> Money:
    """The lines plus shipping."""
    return money.add(money.total(lines, start=Money(code, 0, 0)), shipping(code))


def shown(amount: Money) -> str:
    """How a page writes an amount: the currency's symbol, units, cents truncated to two digits."""
    return f"{CURRENCY_LOGOS[amount.currency_code]}{amount.units}.{abs(amount.nanos) // 10_000_000:02d}"
