"""Stable numeric keys: method keys on the wire and shard hashes for routed calls.

Both must be identical in every process of a version, so they come from a cryptographic
hash of the names or values, never from Python's salted `hash()`.
"""

from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1


def method_key(component: str, method: str) -> int:
    """The u64 that names `component.method` in request frames."""
    digest = hashlib.blake2b(f"{component}.{method}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def shard_hash(value: object) -> int:
    """A stable u64 for a routing key (str, bytes, int or bool)."""
    if isinstance(value, str):
        data = b"s" + value.encode()
    elif isinstance(value, bytes):
        data = b"b" + value
    elif isinstance(value, int):
        data = b"i" + (value & _MASK).to_bytes(8, "little") + (b"-" if value < 0 else b"+")
    else:
        raise TypeError(f"routing key must be str, bytes or int, not {type(value).__name__}")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")
