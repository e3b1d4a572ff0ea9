"""Per-call context that travels with remote calls: deadline, metadata, trace ids.

Set by `weaver.deadline(...)` / `weaver.metadata(...)` on the caller's side, read by the
transport's client, and set again by the transport's server before a handler runs, so a
callee sees what its caller had.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

deadline: ContextVar[float | None] = ContextVar("weaver_deadline", default=None)
"""Absolute `time.monotonic()` by which the current call must finish, or None."""

metadata: ContextVar[dict[str, str] | None] = ContextVar("weaver_metadata", default=None)
"""A small string map propagated to every callee."""

trace: ContextVar[tuple[int, int, int] | None] = ContextVar("weaver_trace", default=None)
"""(trace id, span id, flags) of the current span, or None when not tracing."""

clock: ContextVar[Callable[[], float]] = ContextVar("weaver_clock", default=time.monotonic)
"""The clock `deadline` is measured on: `time.monotonic`, or a simulator's virtual clock."""
