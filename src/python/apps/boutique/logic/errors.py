"""Errors raised by the shared service logic.

Plain exceptions: every transport turns them into an error at the caller, and the frontend
renders any backend error as a 500 page, as the original does.
"""

from __future__ import annotations


class BoutiqueError(Exception):
    """Base of the logic's errors."""


class NotFoundError(BoutiqueError):
    """A product (or other entity) does not exist."""


class InvalidArgumentError(BoutiqueError):
    """A request is malformed: unknown currency, mismatching currencies, invalid money."""


class PaymentError(BoutiqueError):
    """A card was rejected: invalid, not accepted, or expired."""
