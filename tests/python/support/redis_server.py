"""A real Redis server for a test: Debian's `redis-server` on 127.0.0.1 and a free port.

Installed through `support.debian` when missing (CI installs it; elsewhere the test is skipped
with the reason printed); started and stopped by `apps.boutique_bench.redisserver`, the same
starter the benchmark uses. No persistence: each server starts empty.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from apps.boutique_bench.redisserver import RedisServer, free_port
from apps.boutique_bench.redisserver import redis_server as start_redis
from support.debian import ensure_programs

__all__ = ["RedisServer", "free_port", "redis_server"]


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Install redis-server if missing, start it, yield it ready, stop it at the end."""
    ensure_programs({"redis-server": "redis-server"})
    with start_redis() as server:
        yield server
