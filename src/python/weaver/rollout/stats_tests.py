"""One-sided tests "is the new version worse?" for the rollout gate, in the stdlib.

- `fisher_greater`: Fisher's exact test on a 2x2 table of errors, the probability under "both
  versions fail at the same rate" of the new one having at least its errors (hypergeometric tail).
- `binomial_greater`: the exact binomial tail P(X >= bad) for n requests failing at `ratio`
  (the new version against an absolute error floor when there is no old version to compare with).
- `mann_whitney_greater`: the Mann-Whitney U rank test on two latency histograms (each bucket a
  group of ties), normal approximation with tie and continuity corrections: the probability, under
  "same distribution", of ranks at least this much higher for the new version.

Both are short enough not to pull scipy into the lockfile; units tests check them against exact
enumeration.
"""

from __future__ import annotations

import math


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_greater(new_bad: int, new_n: int, old_bad: int, old_n: int) -> float:
    """P(X >= new_bad) with X hypergeometric: new_n draws from new_n + old_n items, of which
    new_bad + old_bad are bad. Small means the new version fails more than chance explains."""
    if not (0 <= new_bad <= new_n and 0 <= old_bad <= old_n):
        raise ValueError(f"error counts out of range: {new_bad}/{new_n} vs {old_bad}/{old_n}")
    total, bad = new_n + old_n, new_bad + old_bad
    if total == 0 or new_bad == 0:
        return 1.0
    denom = _log_choose(total, new_n)
    hi = min(bad, new_n)
    terms = [_log_choose(bad, x) + _log_choose(total - bad, new_n - x) - denom for x in range(new_bad, hi + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def binomial_greater(bad: int, n: int, ratio: float) -> float:
    """P(X >= bad) for X ~ Binomial(n, ratio). Small means more failures than `ratio` explains."""
    if not (0 <= bad <= n) or not 0 <= ratio <= 1:
        raise ValueError(f"binomial test out of range: {bad}/{n} at ratio {ratio}")
    if bad == 0:
        return 1.0
    if ratio == 0:
        return 0.0
    if ratio == 1:
        return 1.0
    lp, lq = math.log(ratio), math.log1p(-ratio)
    terms = [_log_choose(n, k) + k * lp + (n - k) * lq for k in range(bad, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def mann_whitney_greater(new: dict[int, int], old: dict[int, int]) -> tuple[float, float]:
    """(U of the new version, one-sided p) for "new's latencies are stochastically larger".

    Inputs are sparse histograms {bucket: count}; equal buckets are ties. U counts, over all
    (new, old) pairs, 1 where new is slower and 1/2 where tied. p is 1.0 when either side is empty
    or every sample ties."""
    n, m = sum(new.values()), sum(old.values())
    if n == 0 or m == 0:
        return 0.0, 1.0
    u = 0.0
    old_below = 0
    ties = 0.0
    for b in sorted(set(new) | set(old)):
        a, o = new.get(b, 0), old.get(b, 0)
        u += a * (old_below + o / 2)
        old_below += o
        t = a + o
        ties += t**3 - t
    total = n + m
    var = n * m / 12 * ((total + 1) - ties / (total * (total - 1))) if total > 1 else 0.0
    if var <= 0:
        return u, 1.0
    z = (u - n * m / 2 - 0.5) / math.sqrt(var)
    return u, 0.5 * math.erfc(z / math.sqrt(2))
