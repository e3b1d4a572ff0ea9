"""Tests of money arithmetic."""

import pytest

from apps.boutique.logic import money
from apps.boutique.logic.errors import InvalidArgumentError
from apps.boutique.model import Money


def test_add_carries_nanos() -> None:
    assert money.add(Money("USD", 1, 600_000_000), Money("USD", 2, 500_000_000)) == Money("USD", 4, 100_000_000)


def test_add_mixed_signs() -> None:
    assert money.add(Money("USD", 3, 0), Money("USD", -1, -500_000_000)) == Money("USD", 1, 500_000_000)
    assert money.add(Money("USD", -3, 0), Money("USD", 1, 500_000_000)) == Money("USD", -1, -500_000_000)


def test_add_rejects_mismatch_and_invalid() -> None:
    with pytest.raises(InvalidArgumentError):
        money.add(Money("USD", 1, 0), Money("EUR", 1, 0))
    with pytest.raises(InvalidArgumentError):
        money.add(Money("USD", 1, -1), Money("USD", 1, 0))


def test_multiply() -> None:
    assert money.multiply(Money("USD", 18, 990_000_000), 3) == Money("USD", 56, 970_000_000)
    assert money.multiply(Money("USD", 5, 0), 1) == Money("USD", 5, 0)
