"""One HTTP/1.1 GET over a plain socket, for end-to-end tests that read a listener's answer.

No client library on purpose: the tests check what a weaver listener sends, and a bare request
with `Connection: close` leaves nothing (pools, retries, redirects) between the two.
"""

from __future__ import annotations

import asyncio


async def get(address: str, path: str, headers: str = "", timeout: float = 10.0) -> tuple[int, bytes]:
    """GET `path` from `address` (host:port), with extra header lines `headers` ("Name: v\\r\\n"
    each): the status and the body."""
    host, port = address.rsplit(":", 1)
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n".encode())
            data = await reader.read()
        finally:
            writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body
