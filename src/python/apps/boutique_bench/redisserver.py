"""A private Redis for a benchmark run or a test: Debian's `redis-server` on 127.0.0.1.

Started on a free port with no persistence (`--save ""`, no AOF), so each server starts empty;
`start()` returns once the server logs that it accepts connections, and the context manager
stops it (and waits) at the end. Both the shop's cart store (weaver) and the gRPC baseline's
cart store use it, so the benchmark compares the two on the same datastore.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Read the server's log until it accepts connections; its output if it exits or stalls."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    out = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not sel.select(left):
                break
            piece = os.read(fd, 65536)
            if not piece:
                raise RuntimeError(f"redis-server exited ({proc.wait(5)}): {out[-2000:].decode(errors='replace')}")
            out += piece
            if b"Ready to accept connections" in out:
                return
    raise TimeoutError(f"redis-server not ready in {timeout:.0f}s: {out[-2000:].decode(errors='replace')}")


@contextlib.contextmanager
def redis_server(program: str = "redis-server") -> Iterator[RedisServer]:
    """Start `program`, yield it once it accepts connections, stop it (and wait) at the end."""
    if shutil.which(program) is None:
        raise FileNotFoundError(f"{program} not found on PATH: install Debian's redis-server package")
    port = free_port()
    argv = [program, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_ready(proc, READY_TIMEOUT)
        yield RedisServer("127.0.0.1", port, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()  # the server's later log lines are not read: it logs little
