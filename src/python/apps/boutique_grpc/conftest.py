"""Fixtures of the gRPC baseline's tests: generated stubs, and a running cluster."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from apps.boutique_grpc.protogen import generate as _generate  # noqa: F401 - fail early without grpc_tools


def free_ports(n: int) -> list[int]:
    """`n` distinct ports free on 127.0.0.1 right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.fixture(scope="session")
def stubs() -> str | None:
    """Generate the stubs into a cache dir on sys.path unless they are already importable."""
    from apps.boutique_grpc.stubs import stub_path

    return stub_path()


@pytest.fixture(scope="module")
def cluster(stubs: str | None) -> Iterator[object]:
    """The whole baseline (11 processes) on free ports, seeded; stopped after the module."""
    from apps.boutique_grpc.launch import Cluster
    from apps.boutique_grpc.topology import FRONTEND, SERVICES

    ports = dict(zip((FRONTEND, *SERVICES), free_ports(1 + len(SERVICES)), strict=True))
    c = Cluster(ports, seed="session-test")
    c.start(timeout=60)
    try:
        yield c
    finally:
        c.stop()
