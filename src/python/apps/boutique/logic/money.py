"""Money arithmetic with hipstershop's rules (units and nanos of one sign)."""

from __future__ import annotations

from apps.boutique.logic.errors import InvalidArgumentError
from apps.boutique.model import Money

NANOS_MOD = 1_000_000_000
_NANOS_MAX = NANOS_MOD - 1


def is_valid(m: Money) -> bool:
    """True if nanos are in range and units and nanos do not have opposite signs."""
    signs_match = m.nanos == 0 or m.units == 0 or (m.nanos < 0) == (m.units < 0)
    return signs_match and -_NANOS_MAX <= m.nanos <= _NANOS_MAX


def _trunc_div(a: int, b: int) -> int:
    """Integer division rounding toward zero, as in Go."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def add(left: Money, right: Money) -> Money:
    """The sum of two amounts of the same currency."""
    if not is_valid(left) or not is_valid(right):
        raise InvalidArgumentError("invalid money value")
    if left.currency_code != right.currency_code:
        raise InvalidArgumentError("mismatching currency codes")
    units = left.units + right.units
    nanos = left.nanos + right.nanos
    if (units == 0 and nanos == 0) or (units > 0 and nanos >= 0) or (units < 0 and nanos <= 0):
        carry = _trunc_div(nanos, NANOS_MOD)
        units += carry
        nanos -= carry * NANOS_MOD
    elif units > 0:
        units -= 1
        nanos += NANOS_MOD
    else:
        units += 1
        nanos -= NANOS_MOD
    return Money(left.currency_code, units, nanos)


def multiply(m: Money, n: int) -> Money:
    """`m` times `n` (n >= 1) by repeated addition, as the original's MultiplySlow."""
    out = m
    for _ in range(n - 1):
        out = add(out, m)
    return out


def total(items: list[Money], start: Money) -> Money:
    """`start` plus every amount in `items`."""
    out = start
    for m in items:
        out = add(out, m)
    return out
