"""Shrinking a failing run: fewer ops first, then fewer faults, keeping it failing.

Greedy and bounded: drop chunks of ops (halves, quarters, ... single ops), then single
faults; a candidate is kept when its run still breaks the same check. The result replays
exactly from `Run.replay_args()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weaver.testing.sim.simulator import Run, Simulator

MAX_RUNS = 300
"""Upper bound on the runs one shrink may spend."""


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.split(":", 1)[0] == b.split(":", 1)[0]


def shrink(sim: Simulator, failing: Run) -> Run:
    """A smaller run failing like `failing` (or `failing` itself)."""
    best, budget = failing, MAX_RUNS
    ops: list[int] = list(range(failing.n_ops)) if failing.keep_ops is None else list(failing.keep_ops)
    chunk = max(1, len(ops) // 2)
    while chunk >= 1 and budget > 0:
        i, shrank = 0, False
        while i < len(ops) and budget > 0:
            candidate = ops[:i] + ops[i + chunk :]
            budget -= 1
            run = sim.run(failing.seed, failing.n_ops, keep_ops=candidate, keep_faults=best.keep_faults)
            if _same(run.failure, failing.failure):
                ops, best, shrank = candidate, run, True
            else:
                i += chunk
        if not shrank:
            chunk //= 2
    faults: list[str] = list(best.faults)
    for f in list(faults):
        if budget <= 0:
            break
        fewer = [x for x in faults if x != f]
        budget -= 1
        run = sim.run(failing.seed, failing.n_ops, keep_ops=ops, keep_faults=fewer)
        if _same(run.failure, failing.failure):
            faults, best = fewer, run
    if best is not failing and best.keep_faults is None:
        best = sim.run(failing.seed, failing.n_ops, keep_ops=ops, keep_faults=list(best.faults))
    return best
