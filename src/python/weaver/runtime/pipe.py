"""Length-prefixed msgspec messages over the envelope <-> proclet pipe (a socketpair fd).

A frame is a 4-byte big-endian length and a msgpack-encoded tagged struct. A frame that is too
long, truncated or not one of the expected messages raises `PipeError` naming what was wrong;
the reader then gives up on the pipe (the other end is broken, not merely slow).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any, Generic, TypeVar

import msgspec

from weaver.runtime import messages

MAX_MESSAGE = 16 << 20
_LEN = struct.Struct(">I")
T = TypeVar("T")


class PipeError(Exception):
    """The peer sent something that is not a valid message, or the pipe broke mid-message."""


class Pipe(Generic[T]):
    """One end of the pipe: `recv` returns messages of type `T` (None at EOF), `send` any."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: Any, where: str) -> None:
        self.reader = reader
        self.writer = writer
        self.where = where
        self._decoder: msgspec.msgpack.Decoder[T] = msgspec.msgpack.Decoder(kind)
        self._encoder = msgspec.msgpack.Encoder()

    @classmethod
    async def open(cls, sock: socket.socket, kind: Any, where: str) -> Pipe[T]:
        reader, writer = await asyncio.open_connection(sock=sock, limit=MAX_MESSAGE + 8)
        return cls(reader, writer, kind, where)

    def send(self, message: messages.Message) -> None:
        """Queue `message` (no-op once the pipe is closed)."""
        if self.writer.is_closing():
            return
        body = self._encoder.encode(message)
        self.writer.write(_LEN.pack(len(body)) + body)

    async def flush(self) -> None:
        if not self.writer.is_closing():
            try:
                await self.writer.drain()
            except ConnectionError:
                pass

    async def recv(self) -> T | None:
        """The next message, or None at a clean EOF; raises PipeError on bad input."""
        try:
            head = await self.reader.readexactly(_LEN.size)
        except asyncio.IncompleteReadError as e:
            if not e.partial:
                return None
            raise PipeError(f"{self.where}: pipe closed inside a frame header") from None
        except ConnectionError:
            return None
        (length,) = _LEN.unpack(head)
        if length > MAX_MESSAGE:
            raise PipeError(f"{self.where}: message of {length} bytes exceeds the limit ({MAX_MESSAGE})")
        try:
            body = await self.reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            raise PipeError(f"{self.where}: pipe closed inside a {length}-byte message") from None
        try:
            return self._decoder.decode(body)
        except msgspec.DecodeError as e:
            raise PipeError(f"{self.where}: bad message: {e}") from None

    def close(self) -> None:
        self.writer.close()
