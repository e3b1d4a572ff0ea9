"""One accepted connection: decode requests, run handlers, send replies.

A handler starts inside the reading callback as the current task of an `eager.Runner`: one
that finishes without suspending is answered at once, with no scheduling and (usually) no new
task at all; one that suspends continues as a task, cancelled when the caller's deadline passes, when the
caller sends a cancel frame, or when the connection goes away. Each request runs in its own
copy of the context, with `callctx` set from the request.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from typing import TYPE_CHECKING

from weaver.errors import DeadlineExceeded, encode_error
from weaver.internal import callctx, eager
from weaver.internal.caller import Handler
from weaver.rpc import frames
from weaver.rpc.frames import FrameError, Hello
from weaver.rpc.protocol import FramedProtocol, log

if TYPE_CHECKING:
    from weaver.rpc.server import Server

_HEADER = frames.HEADER.pack
_FIXED = frames.REQUEST_FIXED.unpack_from
_FIXED_SIZE = frames.REQUEST_FIXED_SIZE
_REQUEST = frames.REQUEST
_RESPONSE = frames.RESPONSE
_FLAG_DEADLINE = frames.FLAG_DEADLINE
_PLAIN_FLAGS = frames.FLAG_DEADLINE | frames.FLAG_SHARD
_HEAD = frames.HEADER.unpack_from
_HEAD_SIZE = frames.HEADER_SIZE
_SUSPENDED = eager.SUSPENDED
_copy_context = contextvars.copy_context
_monotonic = time.monotonic
_deadline_var = callctx.deadline
_metadata_var = callctx.metadata
_trace_var = callctx.trace


def _set_callctx(deadline: float | None, metadata: dict[str, str] | None, trace: frames.Trace | None) -> None:
    # Run inside a request's context: what the caller had, and nothing from elsewhere.
    _deadline_var.set(None if deadline is None else _monotonic() + deadline)
    _metadata_var.set(metadata)
    _trace_var.set(trace)


class ServerConnection(FramedProtocol):
    """One accepted connection: many concurrent requests, matched to replies by id."""

    def __init__(self, server: Server) -> None:
        super().__init__(server.identity, server.max_frame, server.read_timeout)
        self.server = server
        self._tasks: dict[int, asyncio.Task[bytes]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._expired: set[int] = set()
        self._abandoned: set[int] = set()  # cancelled at the caller's request: no reply
        self._receiving = False
        self._handlers = server.handlers  # the same dict: add_handlers updates it in place
        self._small = min(server.max_frame, 65536)  # replies this small skip the checks in _reply
        self._runner = eager.Runner(self._loop)
        self._clean = True  # no callctx set in the context this protocol's callbacks run in

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.server.connections.add(self)
        self._clean = _deadline_var.get() is None and _metadata_var.get() is None and _trace_var.get() is None

    def data_received(self, data: bytes) -> None:
        # FramedProtocol.data_received, plus: replies produced while reading this chunk go out
        # in one write at the end (written out in full: this is the hottest path).
        if self.closed:
            return
        self._rx += 1
        self._receiving = True
        try:
            reader = self._reader
            if reader.stopped or reader.partial or self.peer_hello is None:
                reader.feed(data)
            else:
                self._plain_requests(data)
        except FrameError as e:
            self._receiving = False
            self.reject(f"bad frame: {e}")
            return
        finally:
            self._receiving = False
        if self._out:
            self.flush()
        if self._reader.partial and self._timer is None and not self.closed:
            self._arm_timer()

    def _plain_requests(self, data: bytes) -> None:
        # Run the whole plain requests at the start of `data` inline (no trace, no metadata, a
        # known method); everything from the first other frame goes through the frame reader.
        size = len(data)
        pos = 0
        handlers = self._handlers
        tasks = self._tasks
        small = self._small
        out = self._out
        while size - pos >= _HEAD_SIZE:
            length, ftype, rid = _HEAD(data, pos)
            start = pos + _HEAD_SIZE
            end = start + length
            if ftype != _REQUEST or end > size or length < _FIXED_SIZE or length > small:
                break
            key, flags, deadline, _ = _FIXED(data, start)
            handler = handlers.get(key)
            if flags or handler is None or rid in tasks:
                break
            payload = data[start + _FIXED_SIZE : end]
            if not self._clean:
                self._run(rid, key, handler, payload, None, None, None)
            else:
                try:
                    result = self._runner.run(handler(payload), _copy_context())
                except (Exception, asyncio.CancelledError) as e:  # noqa: BLE001 - sent to the caller
                    self._reply_error(rid, _cancelled(e), self.server.where(key))
                else:
                    if type(result) is bytes and len(result) <= small:
                        out.append(_HEADER(len(result), _RESPONSE, rid) + result)
                    elif result is _SUSPENDED:
                        self._track(rid, key, None)
                    else:
                        self._reply(rid, key, result)
            pos = end
            if self.closed:
                return
        if pos < size:
            self._reader.feed(data[pos:] if pos else data)

    def send(self, data: bytes) -> None:
        if self._receiving:
            self._out.append(data)
        else:
            super().send(data)

    def _on_hello(self, hello: Hello) -> None:
        refusal = self.identity.mismatch(hello)
        if refusal:
            log.warning("rpc: refusing %s (replica %r): %s", self.peer, hello.replica, refusal)
            self.send(frames.hello_frame(self.identity.hello(refusal)))
            self.reject(f"refused: {refusal}")
            return
        self.send(frames.hello_frame(self.identity.hello()))

    def _on_frame(self, ftype: int, rid: int, data: bytes, start: int, end: int) -> None:
        if ftype == _REQUEST:
            if end - start >= _FIXED_SIZE:
                key, flags, deadline, _ = _FIXED(data, start)
                if not flags & ~_PLAIN_FLAGS and (not flags & _FLAG_DEADLINE or deadline >= 0.0):
                    # The common case, decoded inline: no trace, no metadata, a known method.
                    handler = self._handlers.get(key)
                    if handler is not None and rid not in self._tasks:
                        payload = data[start + _FIXED_SIZE : end]
                        dl = deadline if flags & _FLAG_DEADLINE else None
                        self._run(rid, key, handler, payload, dl, None, None)
                        return
            try:
                req = frames.decode_request(data, start, end)
            except FrameError as e:
                self.reject(f"bad request {rid}: {e}")
                return
            self._request(rid, req.key, req.deadline, req.metadata, req.trace, req.payload)
        elif ftype == frames.CANCEL:
            task = self._tasks.get(rid)
            if task is not None:
                self._abandoned.add(rid)
                task.cancel()
        elif ftype == frames.PING:
            self.send(frames.frame(frames.PONG, rid))
        else:
            self.reject(f"unexpected frame type {ftype} from a client")

    def _request(
        self,
        rid: int,
        key: int,
        deadline: float | None,
        metadata: dict[str, str] | None,
        trace: frames.Trace | None,
        payload: bytes,
    ) -> None:
        if rid in self._tasks:
            self.reject(f"request id {rid} reused while still running")
            return
        handler = self._handlers.get(key)
        if handler is None:
            exc = LookupError(f"no method with key {key:#x} on this server")
            self._reply_error(rid, exc, self.server.where(key))
            return
        self._run(rid, key, handler, payload, deadline, metadata, trace)

    def _run(
        self,
        rid: int,
        key: int,
        handler: Handler,
        payload: bytes,
        deadline: float | None,
        metadata: dict[str, str] | None,
        trace: frames.Trace | None,
    ) -> None:
        # Each request runs in its own copy of the context, holding what the caller had.
        ctx = _copy_context()
        if deadline is not None or metadata is not None or trace is not None or not self._clean:
            ctx.run(_set_callctx, deadline, metadata, trace)
        try:
            result = self._runner.run(handler(payload), ctx)  # runs until done or suspended
        except (Exception, asyncio.CancelledError) as e:  # noqa: BLE001 - sent to the caller
            self._reply_error(rid, _cancelled(e), self.server.where(key))
            return
        if type(result) is bytes and len(result) <= self._small:
            self.send(_HEADER(len(result), _RESPONSE, rid) + result)
        elif result is _SUSPENDED:
            self._track(rid, key, deadline)
        else:
            self._reply(rid, key, result)

    def _track(self, rid: int, key: int, deadline: float | None) -> None:
        # The handler suspended: it continues as the runner's task until it finishes.
        task = self._runner.task
        assert task is not None
        self._runner.task = None
        self._tasks[rid] = task
        if deadline is not None:
            self._timers[rid] = self._loop.call_later(deadline, self._expire, rid)
        task.add_done_callback(lambda t: self._finished(rid, key, t))

    def _reply(self, rid: int, key: int, result: object) -> None:
        if not isinstance(result, bytes):
            exc: Exception = TypeError(f"handler returned {type(result).__name__}, not bytes")
            self._reply_error(rid, exc, self.server.where(key))
        elif len(result) > self.server.max_frame:
            exc = ValueError(f"reply of {len(result)} bytes exceeds the frame limit ({self.server.max_frame})")
            self._reply_error(rid, exc, self.server.where(key))
        else:
            self.send(_HEADER(len(result), _RESPONSE, rid) + result)

    def _reply_error(self, rid: int, exc: BaseException, where: str) -> None:
        if not self.closed:
            self.send(frames.frame(frames.ERROR, rid, encode_error(exc, where)))

    def _expire(self, rid: int) -> None:
        self._timers.pop(rid, None)
        task = self._tasks.get(rid)
        if task is not None:
            self._expired.add(rid)
            task.cancel()

    def _finished(self, rid: int, key: int, task: asyncio.Task[bytes]) -> None:
        self._tasks.pop(rid, None)
        timer = self._timers.pop(rid, None)
        if timer is not None:
            timer.cancel()
        expired = rid in self._expired
        self._expired.discard(rid)
        abandoned = rid in self._abandoned
        self._abandoned.discard(rid)
        if self.closed or abandoned:
            return  # nobody is waiting for this reply
        if task.cancelled():
            if expired:
                self._reply_error(rid, DeadlineExceeded("deadline passed"), self.server.where(key))
            else:  # the handler cancelled itself
                self._reply_error(rid, asyncio.CancelledError("handler was cancelled"), self.server.where(key))
            return
        exc = task.exception()
        if exc is not None:
            self._reply_error(rid, exc, self.server.where(key))
        else:
            self._reply(rid, key, task.result())

    def pause_writing(self) -> None:
        # The client is not reading its replies: stop reading its requests until it does.
        super().pause_writing()
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._transport is not None and not self.closed:
            self._transport.resume_reading()

    def cancel_all(self) -> list[asyncio.Task[bytes]]:
        """Cancel the handlers still running for this connection; return their tasks."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        return tasks

    def _on_lost(self, reason: str) -> None:
        self.server.connections.discard(self)
        self.cancel_all()


def _cancelled(exc: BaseException) -> BaseException:
    """A handler that cancelled itself is reported as such (not as a bare CancelledError)."""
    if isinstance(exc, asyncio.CancelledError):
        return asyncio.CancelledError("handler was cancelled")
    return exc
