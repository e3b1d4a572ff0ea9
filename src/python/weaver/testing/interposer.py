"""A fault injector on one route: a frame-aware relay between a caller's group and one callee replica.

The chaos layer (`weaver.testing.chaos`) puts one `Interposer` on every (caller group, callee
component, replica address) and tells the caller's replicas to dial it instead of the replica.
It relays frames both ways unchanged until its `Rule` says otherwise. The rpc transport
multiplexes many calls on one connection, so every fault is applied to one call (one request
id), never to the connection: cutting the connection would also fail the other calls in flight
on it, whether or not their callee ran.

- `fail_before`: the request is not forwarded (the callee never sees it); the caller gets an
  error reply that it raises as `CommunicationError` (and retries if the method is retriable);
- `fail_after`: the request is forwarded and the callee runs, but its reply (a result or an
  error) is replaced by that `CommunicationError`: the reply is lost;
- `delay`: the request (or, with `replies`, the reply) is held back `seconds`; a caller whose
  deadline passes sends a cancel, and a request still held is then dropped, never run.

A rule may be limited to one method (the request header carries its key; a reply is matched
to its request by id) and to its next `times` calls. Pings, pongs and the handshake always
pass: faults hit calls, not the connection's upkeep.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass

from weaver.errors import encode_communication_error
from weaver.rpc import frames
from weaver.rpc.address import parse
from weaver.testing.sim.faults import KINDS

RULE_KINDS = tuple(k for k in KINDS if k != "crash")
"""The simulator's fault kinds that act on a route (a crash is `kill_replica`)."""
CHUNK = 1 << 16
_CALL_REPLIES = (frames.RESPONSE, frames.ERROR)


@dataclass
class Rule:
    """A fault on some routes: which kind, how long (`delay`), and how many calls (`times`).

    One rule may cover several interposers (every replica of the callee); `times` counts the
    calls it faulted on all of them together, `None` meaning until healed.
    """

    kind: str
    seconds: float = 0.0
    replies: bool = False
    """`delay` only: hold replies back instead of requests (the callee runs on time)."""
    times: int | None = None
    method: int | None = None
    """Only calls of this method (its `MethodSpec.key`); None: every method."""
    hits: int = 0
    """Calls faulted so far."""

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}: use one of {', '.join(RULE_KINDS)}")
        if self.seconds < 0 or (self.times is not None and self.times < 0):
            raise ValueError(f"fault {self.kind}: seconds and times must be >= 0, got {self.seconds}, {self.times}")

    def take(self, method: int | None) -> bool:
        """Fault one more call of `method` (a key; None: unknown), unless `times` are used up."""
        if self.method is not None and method != self.method:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


class _Splitter:
    """Cuts a byte stream into whole frames (header and body)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, int, bytes]]:
        """The (type, request id, frame bytes) of every frame now complete; FrameError if invalid."""
        buf = self._buf
        buf += data
        out = []
        pos = 0
        while len(buf) - pos >= frames.HEADER_SIZE:
            length, ftype, rid = frames.HEADER.unpack_from(buf, pos)
            if ftype not in frames.FRAME_TYPES or length > frames.DEFAULT_MAX_FRAME:
                raise frames.FrameError(f"frame type {ftype}, length {length}")
            end = pos + frames.HEADER_SIZE + length
            if end > len(buf):
                break
            out.append((ftype, rid, bytes(buf[pos:end])))
            pos = end
        del buf[:pos]
        return out


class _Link:
    """One relayed connection: the caller's side, the callee's side, and the frames held back."""

    def __init__(self, owner: Interposer, caller: asyncio.StreamWriter, callee: asyncio.StreamWriter) -> None:
        self.owner = owner
        self.caller = caller
        self.callee = callee
        self.held: dict[tuple[bool, int], tuple[asyncio.TimerHandle, bytes]] = {}
        self.methods: dict[int, int] = {}
        """The method key of each request forwarded and not answered yet, by request id."""

    def abort(self) -> None:
        for timer, _ in self.held.values():
            timer.cancel()
        self.held.clear()
        self.caller.transport.abort()
        self.callee.transport.abort()

    def to_callee(self, ftype: int, rid: int, data: bytes) -> None:
        rule = self.owner.rule
        if ftype == frames.REQUEST and rule is not None:
            key = _method(data)
            if rule.kind == "fail_before" and rule.take(key):
                self.owner.failed_before += 1
                self._fail(rid, "request dropped (fail_before): the callee never saw it")
                return
            if rule.kind == "delay" and not rule.replies and rule.seconds > 0 and rule.take(key):
                self.owner.delayed += 1
                self._hold(True, rid, data, rule.seconds)
                return
        if ftype == frames.REQUEST:
            self._forwarding(rid, data)
        elif ftype == frames.CANCEL:
            held = self.held.pop((True, rid), None)
            if held is not None:  # the caller gave up on a request still held: it never runs
                held[0].cancel()
                return
        _write(self.callee, data)

    def to_caller(self, ftype: int, rid: int, data: bytes) -> None:
        rule = self.owner.rule
        key = self.methods.pop(rid, None) if ftype in _CALL_REPLIES else None
        if ftype in _CALL_REPLIES and rule is not None:
            if rule.kind == "fail_after" and rule.take(key):
                self.owner.lost += 1
                self._fail(rid, "reply lost (fail_after): the callee ran")
                return
            if rule.kind == "delay" and rule.replies and rule.seconds > 0 and rule.take(key):
                self.owner.delayed += 1
                self._hold(False, rid, data, rule.seconds)
                return
        _write(self.caller, data)

    def release(self) -> None:
        """Forward every held frame now (in the order they arrived)."""
        held, self.held = self.held, {}
        for (to_callee, _), (timer, data) in held.items():
            timer.cancel()
            self._release(to_callee, data)

    def _fail(self, rid: int, why: str) -> None:
        body = encode_communication_error(f"chaos: {why}", f"route {self.owner.name}")
        _write(self.caller, frames.frame(frames.ERROR, rid, body))

    def _hold(self, to_callee: bool, rid: int, data: bytes, seconds: float) -> None:
        key = (to_callee, rid)

        def due() -> None:
            if self.held.pop(key, None) is not None:
                self._release(to_callee, data)

        timer = asyncio.get_running_loop().call_later(seconds, due)  # the injected fault itself
        self.held[key] = (timer, data)

    def _release(self, to_callee: bool, data: bytes) -> None:
        if to_callee:
            self._forwarding(frames.HEADER.unpack_from(data)[2], data)
        _write(self.callee if to_callee else self.caller, data)

    def _forwarding(self, rid: int, request: bytes) -> None:
        key = _method(request)
        if key is not None:
            self.methods[rid] = key
            self.owner.calls[key] += 1
        self.owner.requests += 1


def _method(request: bytes) -> int | None:
    """The method key of a request frame (None if it is too short to have one)."""
    if len(request) < frames.HEADER_SIZE + frames.REQUEST_FIXED_SIZE:
        return None
    key: int = frames.REQUEST_FIXED.unpack_from(request, frames.HEADER_SIZE)[0]
    return key


def _write(writer: asyncio.StreamWriter, data: bytes) -> None:
    if not writer.transport.is_closing():
        writer.write(data)


class Interposer:
    """Listens on a Unix socket at `path` and relays every connection to `upstream`.

    The socket listens from construction on, so callers told its address may dial before
    `start` (they wait in the backlog). `name` names the route in the errors it injects.
    """

    def __init__(self, path: str, upstream: str, name: str = "") -> None:
        self.path = path
        self.address = f"unix://{path}"
        self.upstream = upstream
        self.name = name or upstream
        self.rule: Rule | None = None
        self.connections = 0
        """Connections accepted so far."""
        self.requests = 0
        """Requests forwarded to the callee (delayed ones once released)."""
        self.calls: collections.Counter[int] = collections.Counter()
        """Requests forwarded, by method key (`MethodSpec.key`)."""
        self.failed_before = 0
        self.lost = 0
        self.delayed = 0
        self._links: set[_Link] = set()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(path)
        self._sock.listen(128)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def held(self) -> int:
        """Frames held back by a delay right now."""
        return sum(len(link.held) for link in self._links)

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._accept, sock=self._sock)

    def set_rule(self, rule: Rule | None) -> None:
        """Apply `rule` (None: relay unchanged) from the next frame on; frames held by a delay
        that no longer applies are released at once."""
        self.rule = rule
        if rule is None or rule.kind != "delay":
            for link in list(self._links):
                link.release()

    async def close(self) -> None:
        """Stop listening and cut every relayed connection (their relays then end)."""
        if self._server is not None:
            self._server.close()
        else:
            self._sock.close()
        for link in list(self._links):
            link.abort()
        if self._tasks:  # a relay still dialing the upstream ends within its connect
            _, late = await asyncio.wait(list(self._tasks), timeout=5.0)
            for task in late:
                task.cancel()
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._relay(reader, writer)
        finally:
            self._tasks.discard(task)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            target = parse(self.upstream)
            if target.scheme == "unix":
                up_reader, up_writer = await asyncio.open_unix_connection(target.host)
            else:
                up_reader, up_writer = await asyncio.open_connection(target.host, target.port)
        except OSError:
            writer.transport.abort()  # the replica is gone: the caller sees a refused connection
            return
        link = _Link(self, writer, up_writer)
        self._links.add(link)
        pumps = [
            asyncio.ensure_future(_pump(reader, link.to_callee, up_writer)),
            asyncio.ensure_future(_pump(up_reader, link.to_caller, writer)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            link.abort()  # one side closed: so does the other, as a direct connection would
            self._links.discard(link)


async def _pump(
    src: asyncio.StreamReader, handle: Callable[[int, int, bytes], None], dst: asyncio.StreamWriter
) -> None:
    """Feed `src`'s frames to `handle`; wait for `dst` (where they mostly go) to keep up."""
    splitter = _Splitter()
    with contextlib.suppress(ConnectionError, frames.FrameError):
        while data := await src.read(CHUNK):
            for ftype, rid, frame in splitter.feed(data):
                handle(ftype, rid, frame)
            await dst.drain()
