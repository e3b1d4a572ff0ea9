"""Each hostile case runs against both targets (see targets.py), on both event loops."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from hostile.targets import KINDS


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """"server" (weaver's HTTP server) or "proxy" (the version-pinning proxy in front of one)."""
    return str(request.param)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-asyncio >= 1.1 prefers a loop-factories hook that 0.24 (our lockfile's) lacks.
    config.addinivalue_line("filterwarnings", 'ignore:Overriding the "event_loop_policy" fixture')


@pytest.fixture(scope="session", params=["asyncio", "uvloop"])
def event_loop_policy(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoopPolicy:
    """The standard loop, and uvloop (which weaver's listeners and the proxy command run on)."""
    if request.param == "uvloop":
        policy: asyncio.AbstractEventLoopPolicy = uvloop.EventLoopPolicy()
        return policy
    return asyncio.DefaultEventLoopPolicy()
