"""The guard of an app's proxy: holds the public sockets, runs the proxy worker, restarts it.

`weaver rollout _proxy APP --listen NAME=HOST:PORT ...` runs this small process. It binds every
public listener itself and passes the sockets to a worker process (the proxy, `proxyhost.py`),
which it starts again at once when it dies (SIGKILL, a crash). While no worker runs, new
connections wait in the listen backlog of the sockets the guard holds, so clients see a delay,
not a refusal; only requests the dead worker had in flight fail. A worker that dies within
FAST_EXIT_S of its start is restarted with a doubling backoff (up to MAX_BACKOFF_S).
SIGTERM/SIGINT go to the worker, and the guard exits once the worker has.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from types import FrameType

from weaver.internal import envvars
from weaver.internal.address import AddressError, parse_address
from weaver.internal.selfcmd import child_env, weaver_command

FAST_EXIT_S = 5.0
MAX_BACKOFF_S = 5.0


def _say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} guard: {text}", flush=True)


def bind(app: str, listeners: dict[str, str]) -> dict[str, socket.socket]:
    """The listening sockets; OSError naming the listener that cannot bind."""
    socks: dict[str, socket.socket] = {}
    try:
        for name, address in listeners.items():
            host, port = parse_address(address, what=f"listener {name!r} address", port_zero=True)
            try:
                socks[name] = socket.create_server((host, port), backlog=1024)
            except OSError as e:
                raise OSError(e.errno, f"listener {name!r} on {address}: {e.strerror}") from None
    except (OSError, AddressError):
        for s in socks.values():
            s.close()
        raise
    return socks


def run(app: str, listeners: dict[str, str]) -> int:
    """Bind, then keep one worker running until signalled; the exit status of the command."""
    try:
        socks = bind(app, listeners)
    except (OSError, AddressError) as e:
        print(f"weaver rollout proxy for {app}: {e}", flush=True)
        return 1
    fds = ",".join(f"{name}={s.fileno()}" for name, s in socks.items())
    argv = [*weaver_command(), "rollout", "_proxy", app]
    for name, s in socks.items():
        host, port = s.getsockname()[:2]
        argv += ["--listen", f"{name}={host}:{port}"]
    worker: subprocess.Popen[bytes] | None = None
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if worker is not None and worker.poll() is None:
            worker.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    backoff, restarts = 0.0, 0
    try:
        while not stopping:
            started = time.monotonic()
            worker = subprocess.Popen(
                argv, env={**child_env(), envvars.PROXY_FDS: fds}, pass_fds=[s.fileno() for s in socks.values()]
            )
            code = worker.wait()
            if stopping:
                break
            restarts += 1
            quick = time.monotonic() - started < FAST_EXIT_S
            backoff = min(MAX_BACKOFF_S, max(0.1, backoff * 2)) if quick else 0.0
            cause = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
            _say(f"proxy worker pid {worker.pid} {cause}; restart {restarts} in {backoff:g}s")
            deadline = time.monotonic() + backoff
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.05, backoff))
    finally:
        if worker is not None and worker.poll() is None:
            worker.wait()
        for s in socks.values():
            s.close()
    return 0
