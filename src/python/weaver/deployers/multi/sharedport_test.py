"""SharedPort: a reserved address the replicas listen on together, refused when taken."""

from __future__ import annotations

import socket

import pytest

from weaver.deployers.multi.sharedport import SharedPort, available
from weaver.listener import bind

pytestmark = pytest.mark.skipif(not available(), reason="no SO_REUSEPORT here")


async def test_replicas_share_the_reserved_port_and_outsiders_cannot_take_it() -> None:
    port = SharedPort("web")
    address = await port.start("127.0.0.1:0")
    assert address.startswith("127.0.0.1:") and not address.endswith(":0")
    a, b = bind("web", address, reuse_port=True), bind("web", address, reuse_port=True)
    try:
        assert a.address == b.address == address
        with pytest.raises(OSError):
            bind("web", address)  # without SO_REUSEPORT: taken
        host, port_text = address.split(":")
        for _ in range(4):  # the reservation itself does not listen: connections reach a replica
            with socket.create_connection((host, int(port_text)), timeout=2):
                pass
        a.close()
        with socket.create_connection((host, int(port_text)), timeout=2):  # b alone still serves
            pass
    finally:
        a.close()
        b.close()
        await port.close()


async def test_an_address_already_listened_on_is_refused() -> None:
    other = bind("other", "127.0.0.1:0", reuse_port=True)
    try:
        with pytest.raises(OSError, match="listener 'web': cannot listen on"):
            await SharedPort("web").start(other.address)
    finally:
        other.close()
