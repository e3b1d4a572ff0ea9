"""Named network listeners handed to components by the runtime.

A `Listener` field on an implementation is named by its field name; the runtime binds a
socket for it (address from config, else 127.0.0.1:0) before `init` runs. `serve_asgi`
serves an ASGI app on that socket with uvicorn (httptools parser, uvloop when running), or
with weaver's own lean HTTP server (`server="weaver"`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from collections.abc import Generator
from typing import Any

log = logging.getLogger("weaver.listener")


class Listener:
    """A bound, listening TCP socket with a name."""

    def __init__(self, name: str, sock: socket.socket) -> None:
        self.name = name
        self.socket = sock

    @property
    def host(self) -> str:
        """The bound host."""
        return str(self.socket.getsockname()[0])

    @property
    def port(self) -> int:
        """The bound port (the chosen one when the config asked for port 0)."""
        return int(self.socket.getsockname()[1])

    @property
    def address(self) -> str:
        """`host:port` actually bound."""
        return f"{self.host}:{self.port}"

    def __repr__(self) -> str:
        return f"Listener({self.name!r}, {self.address})"

    async def serve_asgi(self, app: Any, server: str = "uvicorn", **uvicorn_options: Any) -> None:
        """Serve `app` on this listener until cancelled, then shut down gracefully.

        `server="uvicorn"` (the default) supports all of ASGI; `server="weaver"` is the lean
        HTTP-only server of `weaver.httpserver` (less CPU per request, no WebSocket/lifespan).
        """
        from weaver import tracing  # no cost when off: the plain app is served
        from weaver.internal import accesslog

        app = tracing.wrap_asgi(accesslog.wrap_asgi(app, self.name), self.name)  # the trace is set when logging
        if server == "weaver":
            if uvicorn_options:
                raise TypeError(f"serve_asgi: uvicorn options {sorted(uvicorn_options)} given with server='weaver'")
            from weaver import httpserver

            log.info("listener %s serving HTTP on http://%s (weaver.httpserver)", self.name, self.address)
            await httpserver.serve(app, self.socket)
            return
        if server != "uvicorn":
            raise ValueError(f"serve_asgi: unknown server {server!r} (want 'uvicorn' or 'weaver')")
        import uvicorn  # imported here: components without listeners never pay for it

        options: dict[str, Any] = {"http": "httptools", "interface": "asgi3", "lifespan": "off", "log_level": "warning"}
        options.update(uvicorn_options)
        uv = _server_class()(uvicorn.Config(app, **options))
        task = asyncio.create_task(uv.serve(sockets=[self.socket]))
        log.info("listener %s serving HTTP on http://%s", self.name, self.address)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            uv.should_exit = True
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=5)
            raise

    def close(self) -> None:
        """Close the socket (the runtime does it at shutdown)."""
        self.socket.close()


def bind(name: str, address: str, reuse_port: bool = False) -> Listener:
    """Bind a listening socket at `host:port` (port 0 picks a free one).

    `reuse_port` sets SO_REUSEPORT: the replicas of a multiprocess deployment share the port.
    """
    host, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ValueError(f"listener {name!r}: address {address!r} is not host:port")
    host = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, int(port_text)))
    except OSError as e:
        sock.close()
        raise OSError(f"listener {name!r}: cannot bind {address}: {e}") from e
    sock.listen(1024)
    sock.setblocking(False)
    return Listener(name, sock)


@functools.cache
def _server_class() -> type:
    """uvicorn's Server without its signal handlers: the weaver runtime owns SIGINT/SIGTERM."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    return Server
