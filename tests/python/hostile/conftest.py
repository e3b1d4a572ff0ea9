"""Each hostile case runs against both targets (see targets.py): the `kind` fixture."""

from __future__ import annotations

import pytest

from hostile.targets import KINDS


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """"server" (weaver's HTTP server) or "proxy" (the version-pinning proxy in front of one)."""
    return str(request.param)
