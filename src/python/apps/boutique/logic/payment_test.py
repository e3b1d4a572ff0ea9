"""Tests of card validation."""

import datetime

import pytest

from apps.boutique.logic.errors import PaymentError
from apps.boutique.logic.payment import PaymentLogic, card_type, luhn_ok
from apps.boutique.logic.rand import make_rng
from apps.boutique.model import CreditCardInfo, Money

AMOUNT = Money("USD", 10, 0)


def card(number: str, year: int = 2039, month: int = 1) -> CreditCardInfo:
    return CreditCardInfo(number, 672, year, month)


def test_luhn_and_type() -> None:
    assert luhn_ok("4432801561520454")
    assert not luhn_ok("4432801561520455")
    assert card_type("4432801561520454") == "visa"
    assert card_type("5555555555554444") == "mastercard"
    assert card_type("378282246310005") == "amex"


async def test_charge_accepts_visa_and_is_seedable() -> None:
    a = await PaymentLogic(make_rng("p", "1")).charge(AMOUNT, card("4432-8015-6152-0454"))
    b = await PaymentLogic(make_rng("p", "1")).charge(AMOUNT, card("4432-8015-6152-0454"))
    assert a == b and len(a) == 36


@pytest.mark.parametrize("number", ["4432-8015-6152-0455", "378282246310005", "abc"])
async def test_charge_rejects(number: str) -> None:
    with pytest.raises(PaymentError):
        await PaymentLogic().charge(AMOUNT, card(number))


async def test_charge_rejects_expired() -> None:
    p = PaymentLogic(today=lambda: datetime.date(2024, 5, 1))
    with pytest.raises(PaymentError, match="expired"):
        await p.charge(AMOUNT, card("5555555555554444", 2024, 4))
    assert await p.charge(AMOUNT, card("5555555555554444", 2024, 5))
