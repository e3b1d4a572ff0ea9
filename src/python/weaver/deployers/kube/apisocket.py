"""A byte relay to the API server for pods on the pod network of the local cluster.

The local cluster's API server listens on the host's 127.0.0.1 only, which a pod in its own
network namespace cannot reach, and there is no kube-proxy behind the `kubernetes` Service. So
the node runs `python3 apisocket.py SOCKET HOST:PORT`, relaying a Unix socket (which crosses
network namespaces through a hostPath volume) to the API server, and a pod whose config sets
`[kube] api_socket` relays its own 127.0.0.1:6443 to that socket (`pod_relay`). Bytes only: TLS
and the pod's service-account token go end to end, so the pod's Role still bounds what it may do.

Standard library only: node.sh runs this file with the host's python3, outside any PEX.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable

POD_ADDRESS = ("127.0.0.1", 6443)
"""Where a pod with `api_socket` reaches the API server (its KUBERNETES_SERVICE_HOST/PORT)."""
POD_SOCKET_DIR = "/var/run/weaver-api"
"""Where the node's socket directory is mounted in such a pod."""

Connect = Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until EOF, then pass the EOF on (TLS close_notify and HTTP keep-alive need both halves)."""
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connect: Connect) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.wait_for(connect(), 10)
    except (OSError, TimeoutError) as e:
        print(f"apisocket: cannot reach the API server: {e}", file=sys.stderr, flush=True)
        writer.close()
        return
    try:
        await asyncio.gather(_copy(reader, upstream_writer), _copy(upstream_reader, writer))
    finally:
        upstream_writer.close()
        writer.close()


async def node_relay(socket_path: str, host: str, port: int) -> asyncio.Server:
    """Serve `socket_path` (mode 0666 for the pods' users), relaying each connection to host:port."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    server = await asyncio.start_unix_server(
        lambda r, w: _relay(r, w, lambda: asyncio.open_connection(host, port)), socket_path
    )
    os.chmod(socket_path, 0o666)
    return server


async def pod_relay(socket_path: str, address: tuple[str, int] = POD_ADDRESS) -> asyncio.Server:
    """Serve `address` in the pod, relaying each connection to the node's socket."""
    return await asyncio.start_server(
        lambda r, w: _relay(r, w, lambda: asyncio.open_unix_connection(socket_path)), *address
    )


async def _serve(socket_path: str, target: str) -> None:
    host, _, port = target.rpartition(":")
    server = await node_relay(socket_path, host, int(port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"apisocket: {socket_path} -> {target}", flush=True)
    await stop.wait()
    server.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or ":" not in argv[1] or not argv[1].rpartition(":")[2].isdigit():
        print("usage: apisocket.py SOCKET HOST:PORT", file=sys.stderr)
        return 2
    asyncio.run(_serve(argv[0], argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
