"""Retry delays: exponential backoff from 10 ms growing 1.3x, with up to 40% jitter."""

from __future__ import annotations

import random
from collections.abc import Iterator

INITIAL = 0.010
FACTOR = 1.3
JITTER = 0.4
MAX_DELAY = 1.0
MAX_ATTEMPTS = 10
"""Attempts (including the first) for a retriable call that has no deadline."""


def delays(rng: random.Random | None = None) -> Iterator[float]:
    """Endless delays before each retry; the caller bounds them by deadline or attempts."""
    rand = (rng or random).random
    delay = INITIAL
    while True:
        yield delay * (1.0 - JITTER * rand())
        delay = min(delay * FACTOR, MAX_DELAY)
