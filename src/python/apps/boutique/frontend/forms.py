"""Validation of the shop's forms, as the current original frontend does (422 on bad input).

Each parser checks every field before the page makes any backend call, so a rejected form
stores nothing. The error names the field and what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.boutique.frontend.render import CURRENCY_LOGOS
from apps.boutique.model import Address, CreditCardInfo

MIN_QUANTITY = 1
MAX_QUANTITY = 10
SUPPORTED_CURRENCIES = frozenset(CURRENCY_LOGOS)
"""The currencies the shop offers (and the only ones a user can pick): those it has a symbol for."""
MAX_FIELD = {"street_address": 512, "city": 128, "state": 128, "country": 128, "email": 254}


class InvalidForm(Exception):
    """A form field is missing or invalid (rendered as a 422 page)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid form field {field!r}: {problem}")
        self.field = field


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise InvalidForm(name, "required")
    limit = MAX_FIELD.get(name)
    if limit is not None and len(value) > limit:
        raise InvalidForm(name, f"longer than {limit} characters")
    return value


def _integer(form: dict[str, str], name: str, low: int, high: int) -> int:
    raw = _required(form, name)
    try:
        value = int(raw)
    except ValueError:
        raise InvalidForm(name, f"{raw[:20]!r} is not an integer") from None
    if not low <= value <= high:
        raise InvalidForm(name, f"{value} is outside {low}..{high}")
    return value


def parse_add_to_cart(form: dict[str, str]) -> tuple[str, int]:
    """The product id and quantity (1..10) of POST /cart."""
    return _required(form, "product_id"), _integer(form, "quantity", MIN_QUANTITY, MAX_QUANTITY)


def parse_currency(form: dict[str, str]) -> str:
    """The currency code of POST /setCurrency: one the shop supports."""
    code = _required(form, "currency_code")
    if code not in SUPPORTED_CURRENCIES:
        raise InvalidForm("currency_code", f"{code[:20]!r} is not a supported currency")
    return code


@dataclass(frozen=True, slots=True)
class CheckoutForm:
    """The fields of POST /cart/checkout."""

    email: str
    address: Address
    card: CreditCardInfo


def parse_checkout(form: dict[str, str]) -> CheckoutForm:
    """The e-mail, address and card of POST /cart/checkout."""
    email = _required(form, "email")
    if "@" not in email.strip("@"):
        raise InvalidForm("email", "not an e-mail address")
    address = Address(
        street_address=_required(form, "street_address"),
        city=_required(form, "city"),
        state=_required(form, "state"),
        country=_required(form, "country"),
        zip_code=_integer(form, "zip_code", 0, 2**31 - 1),
    )
    card = CreditCardInfo(
        credit_card_number=_required(form, "credit_card_number"),
        credit_card_cvv=_integer(form, "credit_card_cvv", 0, 9999),
        credit_card_expiration_year=_integer(form, "credit_card_expiration_year", 1, 9999),
        credit_card_expiration_month=_integer(form, "credit_card_expiration_month", 1, 12),
    )
    return CheckoutForm(email, address, card)
