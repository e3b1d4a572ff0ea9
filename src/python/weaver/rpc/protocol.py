"""What both ends of a connection share: framing, the handshake, write coalescing, timeouts.

`FramedProtocol` is an `asyncio.Protocol` (callbacks, not streams: a stream reader costs a task
switch per message). Writes are buffered and flushed once per loop tick, so N calls issued in
one tick cost one send(). Any bad input closes the connection with a logged reason naming the
peer; nothing a peer sends can raise out of `data_received`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, cast

from weaver.rpc import frames
from weaver.rpc.frames import FrameError, Hello

log = logging.getLogger("weaver.rpc")

DEFAULT_READ_TIMEOUT = 10.0
"""Seconds a peer may stall in the middle of a frame (or before its hello) before we close."""


class Identity:
    """Who this process is on the data plane: the app, its version and this replica."""

    __slots__ = ("app", "replica", "version")

    def __init__(self, app: str, version: str, replica: str = "") -> None:
        self.app = app
        self.version = version
        self.replica = replica

    def hello(self, refusal: str = "") -> Hello:
        return Hello(frames.PROTOCOL_VERSION, self.app, self.version, self.replica, refusal)

    def mismatch(self, peer: Hello) -> str:
        """Why we cannot talk to `peer`, or "" if we can."""
        if peer.protocol != frames.PROTOCOL_VERSION:
            return f"protocol {peer.protocol} != {frames.PROTOCOL_VERSION}"
        if peer.app != self.app or peer.version != self.version:
            return f"version mismatch: peer runs {peer.app}@{peer.version}, we run {self.app}@{self.version}"
        return ""


class FramedProtocol(asyncio.Protocol):
    """Base of the client and server connection protocols."""

    def __init__(
        self,
        identity: Identity,
        max_frame: int = frames.DEFAULT_MAX_FRAME,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.identity = identity
        self.peer = "?"
        self.peer_hello: Hello | None = None
        self.closed = False
        self.close_reason = ""
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self.max_frame = max_frame
        # Until the handshake, frames are limited to MAX_HELLO: an unidentified peer must not make
        # us buffer up to max_frame bytes per connection. The hello raises the limit to max_frame.
        self._reader = frames.FrameReader(self._handshake_frame, min(max_frame, frames.MAX_HELLO))
        self._read_timeout = read_timeout
        self._rx = 0  # chunks received; the stall timer checks for progress
        self._timer: asyncio.TimerHandle | None = None
        self._timer_rx = -1
        self._out: list[bytes] = []
        self._flush_pending = False
        self.write_paused: asyncio.Future[None] | None = None
        """Set while the transport's write buffer is over its high-water mark."""

    # Subclass hooks.
    def _on_hello(self, hello: Hello) -> None:
        raise NotImplementedError

    def _on_frame(self, ftype: int, rid: int, data: bytes, start: int, end: int) -> None:
        raise NotImplementedError

    def _on_lost(self, reason: str) -> None:
        """The connection is gone (after `close`, a peer EOF or an error)."""

    # asyncio.Protocol.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport; they have its methods.
        self._transport = transport = cast(asyncio.Transport, transport)
        peer: Any = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            self.peer = f"{peer[0]}:{peer[1]}"
        else:
            self.peer = str(peer or transport.get_extra_info("sockname") or "unix")
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_timer()  # the handshake must complete in time

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        self._rx += 1
        try:
            self._reader.feed(data)
        except FrameError as e:
            self.reject(f"bad frame: {e}")
            return
        if self._reader.partial and self._timer is None and not self.closed:
            self._arm_timer()

    def eof_received(self) -> bool | None:
        if self._reader.partial:
            self.reject("peer closed the connection in the middle of a frame")
        else:
            self.close("peer closed the connection", level=logging.DEBUG)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            self.closed = True
            self.close_reason = f"connection lost: {exc or 'closed by peer'}"
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.resume_writing()
        self._on_lost(self.close_reason)

    # Flow control.
    def pause_writing(self) -> None:
        self.write_paused = self._loop.create_future()

    def resume_writing(self) -> None:
        paused, self.write_paused = self.write_paused, None
        if paused is not None and not paused.done():
            paused.set_result(None)

    # Writing.
    def send(self, data: bytes) -> None:
        """Queue `data`; it is written with everything else queued in this loop tick."""
        self._out.append(data)
        if not self._flush_pending:
            self._flush_pending = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_pending = False
        out = self._out
        if not out or self._transport is None or self.closed:
            out.clear()
            return
        self._out = []
        self._transport.write(out[0] if len(out) == 1 else b"".join(out))

    # Closing.
    def reject(self, reason: str) -> None:
        """Close this connection because of what the peer did (a warning naming it)."""
        self.close(reason, logging.WARNING)

    def close(self, reason: str, level: int = logging.INFO) -> None:
        """Close this connection (only this one), logging why and naming the peer."""
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        self._reader.stop()
        log.log(level, "rpc: closing connection with %s: %s", self.peer, reason)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._transport is not None:
            if self._out:
                self._transport.write(b"".join(self._out))  # e.g. a refusal hello
                self._out.clear()
            self._transport.close()

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    # Handshake and stalls.
    def _handshake_frame(self, ftype: int, rid: int, data: bytes, start: int, end: int) -> None:
        if self.closed:
            return
        if self.peer_hello is not None:
            self._on_frame(ftype, rid, data, start, end)
            return
        if ftype != frames.HELLO:
            self.reject(f"expected a hello frame, got frame type {ftype}")
            return
        try:
            hello = frames.decode_hello(data[start:end])
        except FrameError as e:
            self.reject(str(e))
            return
        self.peer_hello = hello
        self._reader.sink = self._on_frame  # later frames skip this method
        self._reader.max_frame = self.max_frame  # read again for the next frame of this chunk
        if self._timer is not None and not self._reader.partial:
            self._timer.cancel()
            self._timer = None
        self._on_hello(hello)

    def _arm_timer(self) -> None:
        self._timer_rx = self._rx
        self._timer = self._loop.call_later(self._read_timeout, self._check_stall)

    def _check_stall(self) -> None:
        self._timer = None
        if self.closed:
            return
        if self.peer_hello is None:
            self.reject(f"no hello within {self._read_timeout:g}s")
        elif self._reader.partial:
            if self._rx == self._timer_rx and self.write_paused is None:  # not stalled by us
                self.reject(f"peer stalled mid-frame for {self._read_timeout:g}s")
            else:
                self._arm_timer()
