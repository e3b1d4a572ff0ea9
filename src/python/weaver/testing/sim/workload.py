"""Workload ops and the context they (and invariants) see.

An op is an async function `fn(ctx, *args)` that calls components through `ctx.get(Iface)`;
its arguments are drawn by `args(rng)` from the run's seeded workload generator, so a run's
ops and arguments follow from its seed alone.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from weaver.testing.sim.world import World

T = TypeVar("T")


@dataclass(frozen=True)
class Op:
    """One kind of operation: its function, how to draw its arguments, how often to pick it."""

    fn: Callable[..., Awaitable[Any]]
    args: Callable[[random.Random], tuple[Any, ...]] = field(default=lambda rng: ())  # noqa: E731
    weight: float = 1.0

    @property
    def name(self) -> str:
        return self.fn.__name__


@dataclass
class Ctx:
    """What ops and invariants get: component stubs and impls, the clock, a model dict."""

    world: World
    model: dict[str, Any] = field(default_factory=dict)
    """Free-form state the workload keeps (what clients were told), read by invariants."""

    def get(self, iface: type[T]) -> T:
        return self.world.get(iface)

    def impl(self, iface: type) -> Any:
        return self.world.impl(iface)

    def now(self) -> float:
        return self.world.now()


Invariant = Callable[[Ctx], None]
"""Raises `AssertionError` (with a message) when the app's state is wrong."""
