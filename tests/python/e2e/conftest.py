"""End-to-end tests run real processes on 127.0.0.1; make the sources and hello's generated code importable."""

import os
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "python"))
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from weaver.testing import ensure_generated  # noqa: E402

ensure_generated("apps.hello")

from e2e.rollout_rig import Build, Weaver, make_builds  # noqa: E402
from support.redis_server import RedisServer, redis_server  # noqa: E402


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    """Builds A ("Hello"), B ("Howdy") and Bad (every greeting fails) of hello, one set per module."""
    return make_builds(tmp_path_factory.mktemp("builds"))


@pytest.fixture
def weaver(tmp_path: Path) -> Iterator[Weaver]:
    """`weaver rollout` in a private state dir; stops everything it started at the end."""
    w = Weaver(tmp_path / "state")
    try:
        yield w
    finally:
        w.close()


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    """A real redis-server on 127.0.0.1, one per test module."""
    with redis_server() as server:
        yield server
