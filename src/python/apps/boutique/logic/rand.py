"""Random generators that tests can make deterministic.

With `BOUTIQUE_SEED` set in the environment, each service gets a generator seeded by the seed
and the service's name, so every variant (and every process) draws the same sequence for the
same calls. Without it, generators are seeded from the OS.
"""

from __future__ import annotations

import os
import random
import uuid

SEED_ENV = "BOUTIQUE_SEED"


def make_rng(name: str, seed: str | None = None) -> random.Random:
    """A generator for service `name`, seeded by `seed` or `$BOUTIQUE_SEED` if either is set."""
    seed = seed if seed is not None else os.environ.get(SEED_ENV)
    if seed is None:
        return random.Random()
    return random.Random(f"{seed}/{name}")


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string drawn from `rng`."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
