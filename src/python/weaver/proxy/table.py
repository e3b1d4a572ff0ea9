"""The traffic table of one listener: which versions serve, with what weight, on which backends.

The rollout controller owns the table and replaces it whole (`Proxy.set_table` or the admin
endpoint's `PUT /table`). It is plain data, msgspec-encoded as JSON:

    {"versions": {"<version id>": {"weight": 90, "backends": ["10.0.0.5:8080"], "draining": false,
                                   "manager": "127.0.0.1:9100"}}}

A version present in the table is *serving*: requests pinned to it go there whatever its weight.
`weight` only shares out unpinned requests; `draining` takes a version out of that share too.
"""

from __future__ import annotations

import math
import re

import msgspec

from weaver.internal.address import AddressError, parse_address

VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
"""What a version ID may look like: it travels in a cookie and a header, so a safe token."""


class TableError(ValueError):
    """The table is malformed; the message says where."""


class Version(msgspec.Struct, forbid_unknown_fields=True):
    """One version's entry: its share of unpinned traffic and its listener replicas."""

    weight: float = 0.0
    backends: list[str] = msgspec.field(default_factory=list)
    draining: bool = False
    manager: str = ""
    """`host:port` of the version's manager, where the proxy ships its spans and access log
    entries for the version (`POST /ingest`); "" ships nothing."""


class Table(msgspec.Struct, forbid_unknown_fields=True):
    """Version ID -> entry, for one listener."""

    versions: dict[str, Version] = msgspec.field(default_factory=dict)


def validate(table: Table) -> None:
    """Raise TableError unless every version ID, weight and backend address is well formed."""
    for vid, entry in table.versions.items():
        if not VERSION_ID.match(vid):
            raise TableError(f"version ID {vid!r} must match {VERSION_ID.pattern}")
        if not math.isfinite(entry.weight) or entry.weight < 0:
            raise TableError(f"version {vid}: weight must be finite and >= 0, not {entry.weight}")
        for address in entry.backends:
            try:
                parse_address(address, what=f"version {vid}: backend address")
            except AddressError as e:
                raise TableError(str(e)) from None
        if entry.manager:
            try:
                parse_address(entry.manager, what=f"version {vid}: manager address")
            except AddressError as e:
                raise TableError(str(e)) from None
        if len(set(entry.backends)) != len(entry.backends):
            raise TableError(f"version {vid}: duplicate backend address")


def decode_table(data: bytes) -> Table:
    """Decode and validate a JSON table."""
    try:
        table = msgspec.json.decode(data, type=Table)
    except msgspec.DecodeError as e:
        raise TableError(f"bad table: {e}") from None
    validate(table)
    return table


def encode_table(table: Table) -> bytes:
    """The table as JSON."""
    return msgspec.json.encode(table)
