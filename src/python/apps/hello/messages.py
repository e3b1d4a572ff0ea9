"""Data passed between hello's components."""

from __future__ import annotations

import msgspec


class Hop(msgspec.Struct, frozen=True):
    """One component that handled part of a request, and the app version it ran."""

    component: str
    version: str
    replica: str


class Greeting(msgspec.Struct):
    """What `Greeter.greet` returns."""

    text: str
    count: int
    hops: list[Hop]
