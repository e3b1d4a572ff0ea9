"""Card charging: Luhn check, Visa/MasterCard only, no expired cards; a uuid4 per charge."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from apps.boutique.logic.errors import PaymentError
from apps.boutique.logic.money import is_valid
from apps.boutique.logic.rand import make_rng, uuid4
from apps.boutique.model import CreditCardInfo, Money


def luhn_ok(digits: str) -> bool:
    """True if `digits` (0-9 only) passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_type(digits: str) -> str:
    """The brand of a card number by its prefix and length, or "unknown"."""
    n = len(digits)
    if digits.startswith("4") and n in (13, 16, 19):
        return "visa"
    if n == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
        return "mastercard"
    if n == 15 and digits[:2] in ("34", "37"):
        return "amex"
    if n == 16 and (digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649):
        return "discover"
    return "unknown"


class PaymentLogic:
    """Charge(amount, card) -> transaction id."""

    def __init__(
        self,
        rng: random.Random | None = None,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        self._rng = rng or make_rng("payment")
        self._today = today

    async def charge(self, amount: Money, card: CreditCardInfo) -> str:
        if not is_valid(amount):
            raise PaymentError("invalid amount")
        digits = card.credit_card_number.replace("-", "").replace(" ", "")
        if not digits.isdigit() or len(digits) < 12 or not luhn_ok(digits):
            raise PaymentError("Credit card info is invalid")
        kind = card_type(digits)
        if kind not in ("visa", "mastercard"):
            raise PaymentError(f"Sorry, we cannot process {kind} credit cards. Only VISA or MasterCard is accepted.")
        today = self._today()
        year, month = card.credit_card_expiration_year, card.credit_card_expiration_month
        if today.year * 12 + today.month > year * 12 + month:
            raise PaymentError(f"Your credit card (ending {digits[-4:]}) expired on {month}/{year}")
        return uuid4(self._rng)
