"""Tests of currency conversion."""

import pytest

from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.logic.errors import InvalidArgumentError
from apps.boutique.model import Money


async def test_supported_currencies() -> None:
    codes = await CurrencyLogic().get_supported_currencies()
    assert len(codes) == 33 and codes[0] == "EUR" and "JPY" in codes


async def test_convert_identity_and_eur() -> None:
    c = CurrencyLogic()
    assert await c.convert(Money("USD", 19, 990_000_000), "USD") == Money("USD", 19, 990_000_000)
    # 10 * 1.1305 is 11.304999... in binary floating point; the original floors it too.
    assert await c.convert(Money("EUR", 10, 0), "USD") == Money("USD", 11, 304_999_999)
    assert await c.convert(Money("USD", 11, 305_000_000), "EUR") == Money("EUR", 10, 0)


async def test_convert_to_jpy() -> None:
    # 19.99 USD / 1.1305 = 17.682441... EUR; * 126.40 = 2235.060... JPY.
    out = await CurrencyLogic().convert(Money("USD", 19, 990_000_000), "JPY")
    assert out.currency_code == "JPY" and out.units == 2235 and 0 <= out.nanos < 1_000_000_000


async def test_unknown_currency() -> None:
    with pytest.raises(InvalidArgumentError):
        await CurrencyLogic().convert(Money("USD", 1, 0), "XXX")
