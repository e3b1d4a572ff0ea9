"""CPU placement: the load generator on one core, the app's processes on the other."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from apps.boutique_bench import procstat


@dataclass(frozen=True)
class Placement:
    """Which CPUs the load generator and the app get (None: no pinning)."""

    loadgen: set[int] | None
    app: set[int] | None

    def describe(self) -> str:
        if self.loadgen is None or self.app is None:
            return "no CPU pinning (fewer than 2 CPUs available, or --no-pin)"
        return (
            f"load generator pinned to CPU {_fmt(self.loadgen)}, every app process (all threads, "
            f"control plane included) pinned to CPU {_fmt(self.app)} (os.sched_setaffinity)"
        )


def _fmt(cpus: set[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus))


def choose(enabled: bool = True) -> Placement:
    """The first allowed CPU for the load generator, the rest for the app."""
    cpus = sorted(os.sched_getaffinity(0))
    if not enabled or len(cpus) < 2:
        return Placement(None, None)
    return Placement({cpus[0]}, set(cpus[1:]))


def to_loadgen(p: Placement) -> None:
    """Pin this process (every thread) to the load generator's CPU."""
    if p.loadgen is not None:
        procstat.pin([os.getpid()], p.loadgen)


@contextmanager
def spawning_app(p: Placement) -> Iterator[None]:
    """While starting the app, run on the app's CPUs so that children inherit them."""
    if p.app is None:
        yield
        return
    os.sched_setaffinity(0, p.app)
    try:
        yield
    finally:
        to_loadgen(p)


def pin_app(p: Placement, pids: list[int]) -> list[str]:
    """Pin every thread of `pids` to the app's CPUs; problems found, if any."""
    if p.app is None:
        return []
    procstat.pin(pids, p.app)
    want = _fmt(p.app)
    if len(p.app) > 1:  # Cpus_allowed_list would be a range: not worth parsing
        return []
    wrong = [pid for pid in pids if procstat.cpus_allowed(pid) not in (want, "?")]
    return [f"pids {wrong} not on CPU {want}"] if wrong else []
