"""A finished span as weaver ships it: from a proclet to its manager, and to tests and the dashboard."""

from __future__ import annotations

import msgspec


class SpanRecord(msgspec.Struct, array_like=True, frozen=True):
    """One finished span; ids are lowercase hex (32 digits for the trace, 16 for spans)."""

    trace_id: str
    span_id: str
    parent_id: str
    """"" for a root span."""
    name: str
    kind: str
    """"client", "server" or "internal" (a co-located call)."""
    start_ns: int
    end_ns: int
    error: str = ""
    """The exception's type name when the span ended with one, else ""."""
    attributes: dict[str, str] = {}
    process: str = ""
    """The replica (or proxy) that recorded it."""

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6
