"""Currency conversion through EUR with the original's float and carry rules."""

from __future__ import annotations

import math

import msgspec

from apps.boutique.logic.data import read_bytes
from apps.boutique.logic.errors import InvalidArgumentError
from apps.boutique.model import Money

_FRACTION = 1e9


def load_rates(data: bytes | None = None) -> dict[str, float]:
    """Parse currency_conversion.json: code -> units of that currency per EUR, in file order."""
    raw = msgspec.json.decode(data or read_bytes("currency_conversion.json"), type=dict[str, str])
    return {code: float(rate) for code, rate in raw.items()}


def _carry(units: float, nanos: float) -> tuple[float, float]:
    """Move the fraction of `units` into `nanos` and whole units out of `nanos`."""
    nanos += math.fmod(units, 1) * _FRACTION
    units = math.floor(units) + math.floor(nanos / _FRACTION)
    nanos = math.fmod(nanos, _FRACTION)
    return units, nanos


def convert(rates: dict[str, float], amount: Money, to_code: str) -> Money:
    """`amount` in `to_code`: divide by its rate to EUR (rounding nanos), multiply, floor."""
    from_rate = rates.get(amount.currency_code)
    to_rate = rates.get(to_code)
    if from_rate is None or to_rate is None:
        bad = amount.currency_code if from_rate is None else to_code
        raise InvalidArgumentError(f"unsupported currency: {bad!r}")
    eur_units, eur_nanos = _carry(amount.units / from_rate, amount.nanos / from_rate)
    eur_nanos = float(round(eur_nanos))
    units, nanos = _carry(eur_units * to_rate, eur_nanos * to_rate)
    return Money(to_code, int(math.floor(units)), int(math.floor(nanos)))


class CurrencyLogic:
    """GetSupportedCurrencies and Convert over the packaged EUR-based table (33 codes)."""

    def __init__(self, rates: dict[str, float] | None = None) -> None:
        self._rates = rates if rates is not None else load_rates()
        self._codes = list(self._rates)

    async def get_supported_currencies(self) -> list[str]:
        return list(self._codes)

    async def convert(self, amount: Money, to_code: str) -> Money:
        return convert(self._rates, amount, to_code)
