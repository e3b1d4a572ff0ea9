"""The simulator finds each planted bug of apps.simbugs within SEEDS seeds, reproduces it from
its seed, shrinks it, and passes the fixed twin over FIXED_SEEDS seeds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sim import simbugs
from weaver.testing.sim import SimulationFailure, Simulator

SEEDS = 20
"""Each bug is found within this many seeds (0..SEEDS-1)."""
FIXED_SEEDS = 50
N_OPS = 30

BUGS: dict[str, Callable[[bool], Simulator]] = {
    "lost_update": simbugs.lost_update,
    "double_charge": simbugs.double_charge,
    "deadline": simbugs.deadline,
    "restart": simbugs.restart,
}
EXPECTED = {
    "lost_update": "final invariant counted broken",
    "double_charge": "invariant once broken",
    "deadline": "final invariant in_time broken",
    "restart": "invariant unique broken",
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_bug_is_found_reproduced_and_shrunk(bug: str) -> None:
    sim = BUGS[bug](False)
    with pytest.raises(SimulationFailure) as info:
        sim.check(range(SEEDS), N_OPS)
    failure = info.value
    assert failure.run.failure is not None and failure.run.failure.startswith(EXPECTED[bug])
    report = str(failure)
    assert f"simulation of seed {failure.run.seed} failed" in report and failure.run.history in report
    again = sim.run(failure.run.seed, N_OPS)
    assert again.history == failure.run.history and again.failure == failure.run.failure
    small = failure.shrunk
    assert small.failure is not None and small.failure.startswith(EXPECTED[bug])
    assert small.ops_run < failure.run.ops_run or failure.run.ops_run <= 2
    assert len(small.faults) <= len(failure.run.faults)
    assert small.keep_ops is not None
    replay = sim.run(small.seed, small.n_ops, keep_ops=small.keep_ops, keep_faults=small.keep_faults)
    assert replay.history == small.history


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_fixed_twin_passes(bug: str) -> None:
    runs = BUGS[bug](True).check(range(FIXED_SEEDS), N_OPS)
    assert len(runs) == FIXED_SEEDS and all(r.ops_run == N_OPS for r in runs)


def test_faults_are_injected_in_fixed_runs() -> None:
    """The fixed twins pass *with* faults (the checks are not vacuous)."""
    runs = simbugs.double_charge(True).check(range(FIXED_SEEDS), N_OPS)
    assert sum(len(r.faults) for r in runs) >= FIXED_SEEDS
    assert any("reply of Wallet.debit lost" in r.history for r in runs)


def test_pinned_seed_is_one_line() -> None:
    with pytest.raises(SimulationFailure, match="seed 0 failed"):
        simbugs.lost_update(False).check([0], N_OPS)


def test_same_seed_same_history_byte_for_byte() -> None:
    for make in BUGS.values():
        a, b = make(False).run(7, N_OPS), make(False).run(7, N_OPS)
        assert a.history.encode() == b.history.encode() and a.faults == b.faults
    other = simbugs.deadline(False).run(8, N_OPS)
    assert other.history != simbugs.deadline(False).run(7, N_OPS).history
