"""Which faults a run may inject, and the seeded choice of when to inject them.

Kinds: `fail_before` (the call fails with `CommunicationError`, the callee never ran),
`fail_after` (the callee ran, its reply is lost), `delay` (the request is held back for up to
`max_delay` virtual seconds, so deadlines are hit), `crash` (the callee's replica crashes and
restarts: its in-flight calls fail, its in-memory state is lost, `init` runs again).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = ("fail_before", "fail_after", "delay", "crash")


@dataclass(frozen=True)
class Faults:
    """A fault budget: at most `budget` faults per run, each call attempt faulted with `rate`."""

    budget: int = 3
    rate: float = 0.05
    kinds: tuple[str, ...] = KINDS
    max_delay: float = 2.0
    crashable: tuple[str, ...] | None = None
    """Components (full or short names) that may crash; None: all of them."""

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"Faults.kinds: unknown fault kind(s) {unknown}; use some of {list(KINDS)}")
        if self.budget < 0 or not 0.0 <= self.rate <= 1.0 or self.max_delay < 0:
            raise ValueError(f"Faults: need budget >= 0, 0 <= rate <= 1, max_delay >= 0; got {self}")

    def may_crash(self, component: str) -> bool:
        if self.crashable is None:
            return True
        return component in self.crashable or component.rsplit(".", 1)[-1] in self.crashable


NO_FAULTS = Faults(budget=0, rate=0.0)


@dataclass(frozen=True)
class Fault:
    kind: str
    label: str
    """`<op>.<n>`: the n-th fault the op's own generator drew (stable when other ops are dropped)."""
    delay: float = 0.0


@dataclass
class Injector:
    """Draws faults within the budget from one seeded generator per op.

    Per-op generators keep an op's faults where they were when shrinking drops other ops;
    `allowed` (labels) masks faults when shrinking.
    """

    faults: Faults
    seed: int
    allowed: frozenset[str] | None = None
    injected: list[str] = field(default_factory=list)
    _streams: dict[int | None, tuple[random.Random, list[int]]] = field(default_factory=dict)

    def draw(self, component: str, op: int | None) -> Fault | None:
        if len(self.injected) >= self.faults.budget:
            return None
        stream = self._streams.get(op)
        if stream is None:
            stream = self._streams[op] = (random.Random(f"{self.seed}:faults:{op}"), [0])
        rng, drawn = stream
        if rng.random() >= self.faults.rate:
            return None
        kinds = [k for k in self.faults.kinds if k != "crash" or self.faults.may_crash(component)]
        if not kinds:
            return None
        kind = rng.choice(kinds)
        delay = rng.uniform(0.0, self.faults.max_delay) if kind == "delay" else 0.0
        label = f"{'-' if op is None else op}.{drawn[0]}"
        drawn[0] += 1
        if self.allowed is not None and label not in self.allowed:
            return None
        self.injected.append(label)
        return Fault(kind, label, delay)
