"""A real replica to attack: hello under `weaver multi`, one replica per group, from source.

`deployment()` runs `weaver.testing.multimode.start_multi` on an event loop of its own thread, so
the tests talk to the replica with plain blocking sockets (every wait has a timeout) while the
manager keeps supervising it. The attacked replica is the Greeter's only one: every
`GET /hello` on the app's listener goes Main -> that replica, so a served request proves it
still serves legitimate calls (its reply names the Greeter's pid). What the tests read is what
an operator reads: the replica's rpc address and pid from the deployment's status.json, its
memory from /proc, and its log lines from the deployment's log store (`weaver multi logs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "python"))
if SRC not in sys.path:  # from a plain checkout; under Pants the sources are already importable
    sys.path.insert(0, SRC)

from weaver.deployers.multi import logstore  # noqa: E402
from weaver.rpc import frames  # noqa: E402
from weaver.runtime import status  # noqa: E402
from weaver.runtime.messages import LogEntry  # noqa: E402
from weaver.testing import ensure_generated  # noqa: E402
from weaver.testing.multimode import start_multi  # noqa: E402

GREETER = "apps.hello.greeter.Greeter"
_PEER = re.compile(r"\b\d+\.\d+\.\d+\.\d+:\d+\b")
WAIT = 10.0
"""Bound on each single wait of these tests, in seconds."""


@dataclass(frozen=True)
class Replica:
    """The attacked replica and where to reach the app."""

    pid: int
    name: str
    app: str
    version: str
    host: str
    port: int
    http: tuple[str, int]
    state: Path

    def memory_kib(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the replica in KiB: its resident set now, and its peak so far."""
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines() if ":" in line
        )
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def reset_peak(self) -> None:
        """Make VmHWM start again from the current RSS (Linux: 5 > /proc/PID/clear_refs), so a
        case's peak is its own and not the replica's start-up peak."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def published_pid(self) -> int:
        """The replica's pid as status.json has it now."""
        return _greeter(self.state)[0].pid

    def warnings(self, since: float = 0.0) -> list[LogEntry]:
        """The replica's WARNING (and worse) entries in the deployment's log store, from `since`
        (unix time: client ports are reused, so an earlier case's line may name the same peer)."""
        terms = logstore.parse_filter(["level>=WARNING", f"replica~{self.name}"])
        entries = logstore.read([self.state / "logs.jsonl"], terms)
        mine = [e for e in entries if e.replica.split(":")[0] == self.name]  # "Greeter.0:<incarnation>"
        return [e for e in mine if e.time >= since]

    def wait_logged(self, peers: list[str], since: float, timeout: float = WAIT) -> list[str]:
        """This replica's warnings naming any of `peers` (ip:port); waits until each is named."""
        deadline = time.monotonic() + timeout
        wanted = set(peers)
        while True:
            named = {m: set(_PEER.findall(m)) & wanted for m in (e.msg for e in self.warnings(since))}
            missing = wanted.difference(*named.values())
            if not missing:
                return [m for m, hits in named.items() if hits]
            if time.monotonic() > deadline:
                seen = logstore.read([self.state / "logs.jsonl"], [])[-5:]
                some = sorted(missing)[:3]
                raise AssertionError(f"{len(missing)} peers not logged in {timeout}s: {some}; last: {seen}")
            time.sleep(0.05)  # polling a file: the wait ends on the lines, the sleep only paces it

    def hello(self, name: str) -> int:
        """GET /hello?name=... through the app; returns the pid of the Greeter that answered."""
        with socket.create_connection(self.http, timeout=WAIT) as s:
            s.sendall(f"GET /hello?name={name} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
            data = read_to_eof(s)
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), data[:200]
        hops = json.loads(body)["hops"]
        return int(next(h["replica"] for h in hops if h["component"] == "Greeter"))


def _greeter(state: Path) -> tuple[status.ReplicaStatus, status.DeploymentStatus]:
    doc = status.decode((state / "status.json").read_bytes(), str(state / "status.json"))
    [group] = [g for g in doc.groups if GREETER in g.components]
    [replica] = group.replicas
    return replica, doc


def read_to_eof(s: socket.socket, timeout: float = WAIT, limit: int = 1 << 20) -> bytes:
    """What the peer sends until it closes (bounded in time and size)."""
    s.settimeout(timeout)
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, TimeoutError):  # a timeout: the caller checks what it got
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def send_quietly(s: socket.socket, data: bytes) -> int:
    """Send `data`; returns how much went out before the peer closed (a refusal mid-send is expected)."""
    sent = 0
    s.settimeout(WAIT)
    try:
        while sent < len(data):
            sent += s.send(data[sent : sent + 65536])
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def closed_after(s: socket.socket, timeout: float = WAIT) -> float:
    """Seconds until the peer closes `s` (what it sends first is read and dropped)."""
    start = time.monotonic()
    read_to_eof(s, timeout, limit=1 << 30)
    took = time.monotonic() - start
    assert took < timeout, f"not closed within {timeout}s"
    return took


def read_frame(s: socket.socket) -> tuple[int, bytes]:
    """One frame from the replica: (type, body)."""
    s.settimeout(WAIT)
    head = _exactly(s, frames.HEADER_SIZE)
    length, ftype, _ = frames.HEADER.unpack(head)
    return ftype, _exactly(s, length)


def _exactly(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def handshake(replica: Replica) -> tuple[socket.socket, str]:
    """An rpc connection that said a valid hello and got the replica's (not a refusal)."""
    s, peer = rpc_connect(replica)
    s.sendall(frames.hello_frame(frames.Hello(frames.PROTOCOL_VERSION, replica.app, replica.version, "attacker")))
    ftype, body = read_frame(s)
    assert ftype == frames.HELLO and not frames.decode_hello(body).refusal, body
    return s, peer


def rpc_connect(replica: Replica) -> tuple[socket.socket, str]:
    """A connection to the replica's rpc port and the peer name (ip:port) it will log."""
    s = socket.create_connection((replica.host, replica.port), timeout=WAIT)
    host, port = s.getsockname()[:2]
    return s, f"{host}:{port}"


@contextlib.contextmanager
def deployment() -> Iterator[Replica]:
    """Deploy hello over processes (one replica per group) until the block ends."""
    ensure_generated("apps.hello")
    loop = asyncio.new_event_loop()
    ready: list[Replica] = []
    failed: list[BaseException] = []
    up = threading.Event()
    stop = asyncio.Event()

    async def run() -> None:
        async with start_multi("apps.hello", {}, replicas=1) as app:
            replica, doc = _greeter(app.manager.dir)
            host, port = replica.address.removeprefix("tcp://").rsplit(":", 1)
            http_host, http_port = doc.listeners["hello"].rsplit(":", 1)
            http = (http_host, int(http_port))
            name = replica.replica
            ready.append(Replica(replica.pid, name, doc.app, doc.version, host, int(port), http, app.manager.dir))
            up.set()
            await stop.wait()

    def main() -> None:
        try:
            loop.run_until_complete(run())
        except BaseException as e:  # noqa: BLE001 - reported by the test thread
            failed.append(e)
        finally:
            up.set()
            loop.close()

    thread = threading.Thread(target=main, name="replica-rig", daemon=True)
    thread.start()
    try:
        assert up.wait(90.0), "hello did not deploy in 90 s"
        if failed:
            raise failed[0]
        yield ready[0]
    finally:
        if not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(30.0)
        assert not thread.is_alive(), "the deployment did not stop in 30 s"
