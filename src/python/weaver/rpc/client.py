"""The client side: one connection to one replica, carrying many concurrent calls.

A call is a future in a dict keyed by request id; the reading callback completes it. No task is
created per call: `call` runs in the caller's own task. The remaining deadline is sent with the
request and enforced here too (a timer fails the future); a caller cancelled while waiting sends
a cancel frame so the callee stops as well.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from weaver.errors import CommunicationError, DeadlineExceeded, decode_error
from weaver.internal import callctx
from weaver.rpc import address as addr
from weaver.rpc import frames
from weaver.rpc.frames import FrameError, Hello
from weaver.rpc.protocol import DEFAULT_READ_TIMEOUT, FramedProtocol, Identity, log

_deadline_var = callctx.deadline
_metadata_var = callctx.metadata
_trace_var = callctx.trace
_monotonic = time.monotonic
_HEAD = frames.REQUEST_HEAD.pack
_FIXED = frames.REQUEST_FIXED_SIZE
_REQUEST = frames.REQUEST
_FLAG_DEADLINE = frames.FLAG_DEADLINE
_FLAG_SHARD = frames.FLAG_SHARD
_UNPACK = frames.HEADER.unpack_from
_HEAD_SIZE = frames.HEADER_SIZE
_RESPONSE = frames.RESPONSE


class Connection(FramedProtocol):
    """A client connection; a `Caller` for exactly one replica. Create it with `connect`."""

    def __init__(
        self,
        identity: Identity,
        address: str,
        max_frame: int = frames.DEFAULT_MAX_FRAME,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        super().__init__(identity, max_frame, read_timeout)
        self.address = address
        self.ready: asyncio.Future[None] = self._loop.create_future()
        self._pending: dict[int, asyncio.Future[bytes]] = {}
        self._next_rid = 1
        self._pings: dict[int, asyncio.Future[None]] = {}
        self._max_size = max_frame + frames.HEADER_SIZE

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    async def call(self, key: int, payload: bytes, retriable: bool = True, shard: int | None = None) -> bytes:
        """Call method `key` on the peer; raise what it raised or a CommunicationError."""
        if self.closed:
            raise CommunicationError(f"connection to {self.address} is closed: {self.close_reason}")
        if self.write_paused is not None:
            # The peer is not keeping up: wait instead of buffering more (shielded: the future is shared).
            await asyncio.shield(self.write_paused)
            if self.closed:
                raise CommunicationError(f"connection to {self.address} is closed: {self.close_reason}")
        deadline = _deadline_var.get()
        rid = self._next_rid
        self._next_rid = rid + 1
        metadata = _metadata_var.get()
        trace = _trace_var.get()
        if deadline is None and trace is None and not metadata:
            # The common case, inlined: one struct.pack for frame and request headers.
            if shard is None:
                head = _HEAD(_FIXED + len(payload), _REQUEST, rid, key, 0, 0.0, 0)
            else:
                head = _HEAD(_FIXED + len(payload), _REQUEST, rid, key, _FLAG_SHARD, 0.0, shard)
            remaining = None
        else:
            remaining = None if deadline is None else deadline - _monotonic()
            if remaining is not None and remaining <= 0.0:
                raise DeadlineExceeded(f"deadline passed before calling {self.address}")
            head = frames.request_head(rid, key, len(payload), remaining, shard, trace, metadata)
        if len(head) + len(payload) > self._max_size:
            raise ValueError(f"payload of {len(payload)} bytes exceeds the frame limit ({self._reader.max_frame})")
        fut: asyncio.Future[bytes] = self._loop.create_future()
        pending = self._pending
        frame = head + payload if len(payload) < 65536 else None
        if pending or self._flush_pending or frame is None:
            # Other calls are in flight: coalesce with them, written once per loop tick.
            self.send(frame or head)
            if frame is None:
                self.send(payload)
        else:
            self._transport.write(frame)  # type: ignore[union-attr]  # idle: write at once
        pending[rid] = fut
        if remaining is None:
            try:
                return await fut
            except asyncio.CancelledError:
                self._abandon(rid)
                raise
        timer = self._loop.call_later(remaining, self._expire, rid)
        try:
            return await fut
        except asyncio.CancelledError:
            self._abandon(rid)
            raise
        finally:
            timer.cancel()

    def data_received(self, data: bytes) -> None:
        # FramedProtocol.data_received with the whole responses at the start of `data` completed
        # inline; everything from the first other frame goes through the frame reader.
        if self.closed:
            return
        self._rx += 1
        reader = self._reader
        try:
            if reader.stopped or reader.partial or self.peer_hello is None:
                reader.feed(data)
            else:
                size = len(data)
                pos = 0
                pending = self._pending
                limit = reader.max_frame
                while size - pos >= _HEAD_SIZE:
                    length, ftype, rid = _UNPACK(data, pos)
                    end = pos + _HEAD_SIZE + length
                    if ftype != _RESPONSE or end > size or length > limit:
                        break
                    fut = pending.pop(rid, None)
                    if fut is not None and not fut.done():
                        fut.set_result(data[pos + _HEAD_SIZE : end])
                    pos = end
                if pos < size:
                    reader.feed(data[pos:] if pos else data)
        except FrameError as e:
            self.reject(f"bad frame: {e}")
            return
        if reader.partial and self._timer is None and not self.closed:
            self._arm_timer()

    async def ping(self, timeout: float = 1.0) -> None:
        """Round-trip a ping frame; raise CommunicationError if no pong arrives in time."""
        rid = self._next_rid
        self._next_rid = rid + 1
        fut: asyncio.Future[None] = self._loop.create_future()
        self._pings[rid] = fut
        self.send(frames.frame(frames.PING, rid))
        try:
            async with asyncio.timeout(timeout):
                await fut
        except TimeoutError:
            raise CommunicationError(f"no pong from {self.address} in {timeout:g}s") from None
        finally:
            self._pings.pop(rid, None)

    async def drain(self) -> None:
        """Wait for the calls in flight to finish, then close (a replica leaving the set)."""
        while self._pending and not self.closed:
            await asyncio.wait(list(self._pending.values()))  # wait, unlike gather, never cancels them
        self.close("drained", level=logging.DEBUG)

    def _abandon(self, rid: int) -> None:
        # The caller gave up (cancelled): forget the call and tell the callee to stop.
        if self._pending.pop(rid, None) is not None and not self.closed:
            self.send(frames.frame(frames.CANCEL, rid))

    def _expire(self, rid: int) -> None:
        fut = self._pending.pop(rid, None)
        if fut is None:
            return
        if not fut.done():
            fut.set_exception(DeadlineExceeded(f"deadline passed waiting for {self.address}"))
        # Cancel even if `fut` is done: `weaver.deadline`'s timeout, due in the same tick, may
        # have cancelled the waiting task first, and its `_abandon` then finds nothing to cancel.
        if not self.closed:
            self.send(frames.frame(frames.CANCEL, rid))

    def _on_hello(self, hello: Hello) -> None:
        if hello.refusal:
            reason = f"{self.address} refused us: {hello.refusal}"
        else:
            reason = self.identity.mismatch(hello)
        if reason:
            log.warning("rpc: handshake with %s failed: %s", self.address, reason)
            self.reject(f"handshake failed: {reason}")
            return
        if not self.ready.done():
            self.ready.set_result(None)

    def _on_frame(self, ftype: int, rid: int, data: bytes, start: int, end: int) -> None:
        if ftype == frames.RESPONSE:
            fut = self._pending.pop(rid, None)
            if fut is not None and not fut.done():
                fut.set_result(data[start:end])
        elif ftype == frames.ERROR:
            fut = self._pending.pop(rid, None)
            if fut is not None and not fut.done():
                fut.set_exception(decode_error(data[start:end]))
        elif ftype == frames.PONG:
            pong = self._pings.get(rid)
            if pong is not None and not pong.done():
                pong.set_result(None)
        elif ftype == frames.PING:
            self.send(frames.frame(frames.PONG, rid))
        else:
            self.reject(f"unexpected frame type {ftype} from a server")

    def _on_lost(self, reason: str) -> None:
        err = f"connection to {self.address} lost: {reason}"
        if not self.ready.done():
            self.ready.set_exception(CommunicationError(f"cannot connect to {self.address}: {reason}"))
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(CommunicationError(err))
        for pong in self._pings.values():
            if not pong.done():
                pong.set_exception(CommunicationError(err))


async def connect(
    address: str | socket.socket,
    identity: Identity,
    timeout: float = 5.0,
    max_frame: int = frames.DEFAULT_MAX_FRAME,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    cls: type[Connection] = Connection,
) -> Connection:
    """Open a connection to `address` and complete the version handshake.

    `address` may also be a connected socket (one end of a socketpair or an inherited fd,
    e.g. a proclet's control channel). Raises CommunicationError if the peer cannot be
    reached, does not answer in `timeout` seconds, or runs another app version (the message
    names both versions).
    """
    sock = address if isinstance(address, socket.socket) else None
    name = address if isinstance(address, str) else f"socket fd {address.fileno()}"
    a = addr.parse(name) if sock is None else None
    loop = asyncio.get_running_loop()

    def factory() -> Connection:
        return cls(identity, name, max_frame, read_timeout)

    try:
        async with asyncio.timeout(timeout):
            if sock is not None:
                if sock.family == socket.AF_UNIX:
                    _, conn = await loop.create_unix_connection(factory, sock=sock)
                else:
                    _, conn = await loop.create_connection(factory, sock=sock)
            elif a is not None and a.scheme == "unix":
                _, conn = await loop.create_unix_connection(factory, a.host)
            else:
                assert a is not None
                _, conn = await loop.create_connection(factory, a.host, a.port)
            conn.send(frames.hello_frame(identity.hello()))
            try:
                await asyncio.shield(conn.ready)
            except BaseException:
                conn.close("handshake abandoned", level=logging.DEBUG)
                raise
    except TimeoutError:
        raise CommunicationError(f"cannot connect to {name}: timed out after {timeout:g}s") from None
    except OSError as e:
        raise CommunicationError(f"cannot connect to {name}: {e}") from None
    return conn
