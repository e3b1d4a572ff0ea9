"""`weaver multi dashboard [--port P] [--app APP]`: the dashboard of every running deployment.

Serves `weaver.dashboard.routes` over a `StateDirSource` with weaver's own HTTP server, on
127.0.0.1 only, until SIGINT or SIGTERM. Each manager also serves its own deployment's
dashboard at `http://<its metrics address>/dashboard`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import sys

from weaver.dashboard.routes import asgi, routes
from weaver.deployers.multi.dashboard import StateDirSource
from weaver.httpserver import serve


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def run(port: int, app: str | None) -> None:
    sock = bind(port)
    print(f"dashboard: http://127.0.0.1:{sock.getsockname()[1]}/dashboard", flush=True)
    task = asyncio.create_task(serve(asgi(routes(StateDirSource(app))), sock, grace=1.0))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        sock.close()


def dashboard(args: argparse.Namespace) -> int:
    try:
        asyncio.run(run(args.port, args.app))
    except OSError as e:
        print(f"weaver multi dashboard: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 1
    return 0
