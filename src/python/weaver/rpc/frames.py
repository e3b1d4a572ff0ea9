"""The wire format: length-prefixed frames and the fixed request header.

Every frame is a 13-byte header (body length u32, frame type u8, request id u64, little-endian)
followed by the body. A request body starts with a fixed 25-byte header (method key u64, flags
u8, relative deadline f64 in seconds, shard u64); when `FLAG_EXTRA` is set a u32 length and a
msgpack `[trace, metadata]` follow; the rest is the payload. Fixed structs keep the common path
(no trace, no metadata) to one `struct` call per side.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final

import msgspec

PROTOCOL_VERSION: Final = 1
DEFAULT_MAX_FRAME: Final = 64 << 20
MAX_HELLO: Final = 64 << 10  # the frame limit until a peer's hello is accepted (a hello is ~100 B)

# Frame types.
HELLO: Final = 1
REQUEST: Final = 2
RESPONSE: Final = 3
ERROR: Final = 4
CANCEL: Final = 5
PING: Final = 6
PONG: Final = 7
FRAME_TYPES: Final = frozenset({HELLO, REQUEST, RESPONSE, ERROR, CANCEL, PING, PONG})

# Request flags.
FLAG_DEADLINE: Final = 1
FLAG_SHARD: Final = 2
FLAG_EXTRA: Final = 4

HEADER: Final = struct.Struct("<IBQ")
HEADER_SIZE: Final = HEADER.size
REQUEST_FIXED: Final = struct.Struct("<QBdQ")
REQUEST_FIXED_SIZE: Final = REQUEST_FIXED.size
REQUEST_HEAD: Final = struct.Struct("<IBQQBdQ")  # frame header + request fixed header
EXTRA_LEN: Final = struct.Struct("<I")

Trace = tuple[int, int, int]
_U64 = (1 << 64) - 1


class FrameError(Exception):
    """The peer sent bytes that are not a valid frame; the connection must be closed."""


class Hello(msgspec.Struct, array_like=True, frozen=True):
    """The first frame each side sends. A non-empty `refusal` says why the peer said no."""

    protocol: int
    app: str
    version: str
    replica: str
    refusal: str = ""


class Extra(msgspec.Struct, array_like=True, frozen=True):
    """The optional part of a request header: trace context (packed) and metadata."""

    trace: bytes | None = None
    metadata: dict[str, str] | None = None


_TRACE = struct.Struct("<QQQB")  # trace id (128 bits, low then high), span id, flags


def _pack_trace(trace: Trace) -> bytes:
    tid, span, flags = trace
    return _TRACE.pack(tid & _U64, (tid >> 64) & _U64, span & _U64, flags & 0xFF)


def _unpack_trace(data: bytes) -> Trace:
    if len(data) != _TRACE.size:
        raise FrameError(f"trace context of {len(data)} bytes, want {_TRACE.size}")
    lo, hi, span, flags = _TRACE.unpack(data)
    return (hi << 64 | lo, span, flags)


_hello_decoder = msgspec.msgpack.Decoder(Hello)
_extra_decoder = msgspec.msgpack.Decoder(Extra)
_encoder = msgspec.msgpack.Encoder()


def frame(ftype: int, rid: int, body: bytes = b"") -> bytes:
    """One whole frame (used for everything but requests, which are built in two parts)."""
    return HEADER.pack(len(body), ftype, rid) + body


def hello_frame(hello: Hello) -> bytes:
    return frame(HELLO, 0, _encoder.encode(hello))


def decode_hello(body: bytes) -> Hello:
    try:
        return _hello_decoder.decode(body)
    except msgspec.DecodeError as e:
        raise FrameError(f"malformed hello: {e}") from None


def request_head(
    rid: int,
    key: int,
    payload_len: int,
    deadline: float | None,
    shard: int | None,
    trace: Trace | None,
    metadata: dict[str, str] | None,
) -> bytes:
    """Frame header + request header (+ extra); the payload is written after it unchanged."""
    flags = 0
    if deadline is not None:
        flags = FLAG_DEADLINE
    else:
        deadline = 0.0
    if shard is not None:
        flags |= FLAG_SHARD
    else:
        shard = 0
    if trace is None and not metadata:
        return REQUEST_HEAD.pack(REQUEST_FIXED_SIZE + payload_len, REQUEST, rid, key, flags, deadline, shard)
    packed = None if trace is None else _pack_trace(trace)
    extra = _encoder.encode(Extra(packed, metadata or None))
    body_len = REQUEST_FIXED_SIZE + 4 + len(extra) + payload_len
    head = REQUEST_HEAD.pack(body_len, REQUEST, rid, key, flags | FLAG_EXTRA, deadline, shard)
    return head + EXTRA_LEN.pack(len(extra)) + extra


class Request(msgspec.Struct):
    """A decoded request header; `payload` is the encoded arguments."""

    key: int
    deadline: float | None
    shard: int | None
    trace: Trace | None
    metadata: dict[str, str] | None
    payload: bytes


def decode_request(data: bytes, start: int, end: int) -> Request:
    """Decode the request body `data[start:end]`; raise FrameError if it is malformed."""
    if end - start < REQUEST_FIXED_SIZE:
        raise FrameError(f"request body of {end - start} bytes is too short")
    key, flags, deadline, shard = REQUEST_FIXED.unpack_from(data, start)
    pos = start + REQUEST_FIXED_SIZE
    trace = metadata = None
    if flags & FLAG_EXTRA:
        if end - pos < 4:
            raise FrameError("request extra header is truncated")
        (n,) = EXTRA_LEN.unpack_from(data, pos)
        pos += 4
        if n > end - pos:
            raise FrameError(f"request extra header of {n} bytes overruns the frame")
        try:
            extra = _extra_decoder.decode(data[pos : pos + n])
        except msgspec.DecodeError as e:
            raise FrameError(f"malformed request extra header: {e}") from None
        metadata = extra.metadata
        if extra.trace is not None:
            trace = _unpack_trace(extra.trace)
        pos += n
    if flags & ~(FLAG_DEADLINE | FLAG_SHARD | FLAG_EXTRA):
        raise FrameError(f"unknown request flags {flags:#x}")
    if flags & FLAG_DEADLINE and not deadline >= 0.0:  # also rejects NaN
        raise FrameError(f"invalid deadline {deadline!r}")
    return Request(
        key,
        deadline if flags & FLAG_DEADLINE else None,
        shard if flags & FLAG_SHARD else None,
        trace,
        metadata,
        data[pos:end],
    )


FrameSink = Callable[[int, int, bytes, int, int], None]
"""Called per frame with (type, request id, buffer, body start, body end)."""


class FrameReader:
    """Incremental frame decoder: feed it chunks, it calls `sink` once per complete frame.

    Partial frames are kept as a list of chunks and joined once complete, so a large frame
    arriving in many pieces costs linear time. Raises FrameError on an oversize or unknown
    frame; the caller then closes the connection.
    """

    __slots__ = ("_chunks", "_have", "_need", "max_frame", "sink", "stopped")

    def __init__(self, sink: FrameSink, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.sink = sink
        self.stopped = False
        self.max_frame = max_frame
        self._chunks: list[bytes] = []
        self._have = 0
        self._need = HEADER_SIZE

    @property
    def partial(self) -> bool:
        """True while part of a frame is buffered (used for the stall timeout)."""
        return self._have > 0

    def stop(self) -> None:
        """Deliver no more frames, not even the rest of the chunk being fed (connection closed)."""
        self.stopped = True
        self._chunks = []
        self._have = 0

    def feed(self, chunk: bytes) -> None:
        if self.stopped:
            return
        if self._chunks:
            self._chunks.append(chunk)
            self._have += len(chunk)
            if self._have < self._need:
                return
            data = b"".join(self._chunks)
            self._chunks = []
            self._have = 0
        else:
            data = chunk
        size = len(data)
        pos = 0
        sink = self.sink
        unpack = HEADER.unpack_from
        while size - pos >= HEADER_SIZE:
            length, ftype, rid = unpack(data, pos)
            if length > self.max_frame:
                raise FrameError(f"frame of {length} bytes exceeds the limit of {self.max_frame}")
            if ftype not in FRAME_TYPES:
                raise FrameError(f"unknown frame type {ftype}")
            end = pos + HEADER_SIZE + length
            if end > size:
                self._need = end - pos
                break
            sink(ftype, rid, data, pos + HEADER_SIZE, end)
            pos = end
            if self.stopped:
                return
        else:
            self._need = HEADER_SIZE
        if pos < size:
            rest = data[pos:] if pos else data
            self._chunks.append(rest)
            self._have = len(rest)
