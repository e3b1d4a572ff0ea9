"""The gate's tests against exact values: Fisher by hand, Mann-Whitney by full enumeration."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from weaver.rollout.stats_tests import binomial_greater, fisher_greater, mann_whitney_greater


def test_fisher_lady_tasting_tea() -> None:
    # Fisher's own example: 3 of 4 right vs 1 of 4, one-sided p = 17/70
    assert fisher_greater(3, 4, 1, 4) == pytest.approx(17 / 70)


def test_fisher_two_errors_against_a_clean_old_version() -> None:
    # both errors among the new version's 30 of 300 requests: C(30,2)/C(300,2)
    assert fisher_greater(2, 30, 0, 270) == pytest.approx(435 / 44850)


def test_fisher_no_evidence_is_one() -> None:
    assert fisher_greater(0, 30, 5, 300) == 1.0
    assert fisher_greater(0, 0, 0, 0) == 1.0
    assert fisher_greater(1, 100, 10, 100) > 0.99


def test_fisher_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="out of range"):
        fisher_greater(5, 4, 0, 10)


def _exact_mw_p(new: list[int], old: list[int]) -> float:
    """P(U >= observed U) over every split of the pooled samples (the permutation distribution)."""

    def u_of(a: list[int], b: list[int]) -> float:
        return sum((x > y) + 0.5 * (x == y) for x in a for y in b)

    observed = u_of(new, old)
    pooled = new + old
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), len(new)):
        chosen = set(idx)
        a = [pooled[i] for i in idx]
        b = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        total += 1
        hits += u_of(a, b) >= observed - 1e-9
    return hits / total


def _hist(xs: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for x in xs:
        out[x] = out.get(x, 0) + 1
    return out


@pytest.mark.parametrize("seed", range(6))
def test_mann_whitney_close_to_the_exact_permutation_p(seed: int) -> None:
    rng = random.Random(seed)
    shift = seed % 3
    new = [rng.randint(0, 6) + shift for _ in range(7)]
    old = [rng.randint(0, 6) for _ in range(7)]
    _, p = mann_whitney_greater(_hist(new), _hist(old))
    assert p == pytest.approx(_exact_mw_p(new, old), abs=0.04)


def test_mann_whitney_u_counts_pairs_and_ties() -> None:
    u, _ = mann_whitney_greater({2: 1, 5: 1}, {2: 1, 3: 1})
    # (2 vs 2: 0.5) (2 vs 3: 0) (5 vs 2: 1) (5 vs 3: 1)
    assert u == 2.5


def test_mann_whitney_clear_shift_and_no_shift() -> None:
    old = {10: 40, 11: 40, 12: 20}
    assert mann_whitney_greater({12: 40, 13: 40, 14: 20}, old)[1] < 1e-6
    assert mann_whitney_greater(dict(old), old)[1] > 0.4
    assert mann_whitney_greater({}, old) == (0.0, 1.0)
    assert mann_whitney_greater({5: 10}, {5: 10})[1] == 1.0


def test_binomial_tail_against_the_sum_of_terms() -> None:
    # 3 or more failures of 20 at 5%: 1 - P(0) - P(1) - P(2)
    exact = 1 - sum(math.comb(20, k) * 0.05**k * 0.95 ** (20 - k) for k in range(3))
    assert binomial_greater(3, 20, 0.05) == pytest.approx(exact)
    assert binomial_greater(0, 20, 0.05) == 1.0
    assert binomial_greater(1, 20, 0.0) == 0.0
    assert binomial_greater(20, 20, 1.0) == 1.0
    with pytest.raises(ValueError, match="out of range"):
        binomial_greater(21, 20, 0.1)
