"""Deterministic simulation of a weaver app: virtual time, seeded interleavings and faults.

    sim = Simulator("apps.shop", ops=[Op(add, args=lambda rng: (rng.choice(USERS),))],
                    invariants=[cart_ok], faults=Faults(budget=3))
    sim.check(range(100))     # raises SimulationFailure: seed, history, shrunk run
    sim.check([1234])         # a failing seed pinned as a regression test

See docs/simulation.md.
"""

from weaver.testing.sim.faults import KINDS, NO_FAULTS, Faults
from weaver.testing.sim.loop import Deadlock, SimLoop
from weaver.testing.sim.simulator import Run, SimulationFailure, Simulator
from weaver.testing.sim.workload import Ctx, Invariant, Op

__all__ = [
    "KINDS",
    "NO_FAULTS",
    "Ctx",
    "Deadlock",
    "Faults",
    "Invariant",
    "Op",
    "Run",
    "SimLoop",
    "SimulationFailure",
    "Simulator",
]
