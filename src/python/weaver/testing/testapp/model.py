"""Data types of the test app."""

from __future__ import annotations

import dataclasses
import datetime
import enum

import msgspec


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Item:
    name: str
    color: Color
    tags: frozenset[str] = frozenset()


class Stamp(msgspec.Struct):
    at: datetime.datetime
    note: str | None = None  # noqa: UP007 - exercises typing.Optional in codegen


Items = list[Item]
"""A type alias used in an interface."""

EVENTS: list[str] = []
"""Lifecycle events in order, shared by the components (tests read and clear it)."""


class NotFound(Exception):
    """Deliberately not an AppError: crosses the wire as a RemoteCallError."""
