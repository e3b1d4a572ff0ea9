"""W3C `traceparent` values and weaver's trace ids, with no OpenTelemetry import.

`Trace` is what `callctx.trace` holds and the transport carries: (trace id, span id, flags).
Kept apart from the SDK code so that the proxy, the CLI and tests can parse and write
`traceparent` headers in processes that never load OpenTelemetry.
"""

from __future__ import annotations

import re

Trace = tuple[int, int, int]

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def parse_traceparent(value: str) -> Trace | None:
    """The ids of a W3C `traceparent` header value (version 00), or None if it is malformed."""
    m = _TRACEPARENT.fullmatch(value.strip().lower())
    if m is None:
        return None
    tid, sid = int(m.group(1), 16), int(m.group(2), 16)
    if not tid or not sid:
        return None
    return (tid, sid, int(m.group(3), 16))


def traceparent(t: Trace) -> str:
    """The W3C `traceparent` header value for trace context `t`."""
    return f"00-{t[0]:032x}-{t[1]:016x}-{t[2] & 0xFF:02x}"
