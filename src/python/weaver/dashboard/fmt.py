"""How the page writes figures; the page's refresh script (`pages.SCRIPT`) writes them the same way."""

from __future__ import annotations


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}/s"


def num(value: float | None) -> str:
    """Three significant digits, no exponent: 0.025, 2.5, 5000 (as JS `String(Number(v.toPrecision(3)))`)."""
    return "-" if value is None else f"{float(f'{value:.3g}'):g}"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{num(value)} ms"


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
