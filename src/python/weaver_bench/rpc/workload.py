"""The exchange every stack performs: a tiny 4-field msgspec message there and back."""

from __future__ import annotations

import msgspec


class Item(msgspec.Struct, array_like=True):
    id: int
    name: str
    price: float
    tags: list[str]


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Item).decode

REQUEST = _encode(Item(7, "socks", 4.5, ["wool", "blue"]))


def handle(payload: bytes) -> bytes:
    """The server's work: decode, change a field, encode."""
    item = _decode(payload)
    item.price *= 2
    return _encode(item)


def check(reply: bytes) -> None:
    if _decode(reply).price != 9.0:
        raise AssertionError("wrong reply")
