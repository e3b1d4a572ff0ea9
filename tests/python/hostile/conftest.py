"""Each hostile case runs against both targets (see targets.py), on both event loops (the
proxy's tests' loop fixtures: the standard loop, and uvloop, which weaver's listeners and the
proxy command run on)."""

from __future__ import annotations

import pytest

from hostile.targets import KINDS
from weaver.proxy.conftest import event_loop_policy, pytest_configure

__all__ = ["event_loop_policy", "kind", "pytest_configure"]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """"server" (weaver's HTTP server) or "proxy" (the version-pinning proxy in front of one)."""
    return str(request.param)
