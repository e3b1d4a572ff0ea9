"""What generated stubs call to record automatic call metrics (`weaver.metrics.calls`).

The hot path lives in the generated code itself (a slot held by the stub, a few integer
adds, `now()` twice); this module holds the slow parts: classifying a failure, and the
wrapper that times a sampled co-located call.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from weaver.config import ConfigError, MetricsOptions
from weaver.errors import AppError, CommunicationError
from weaver.internal import callctx, envvars
from weaver.metrics.calls import CALLER, CallSlot, ErrorKind, settings

T = TypeVar("T")
now = time.perf_counter_ns
"""The clock of call latencies (monotonic nanoseconds)."""


def configure(options: MetricsOptions) -> None:
    """Apply `[weaver.metrics]` to stubs created from now on; `$WEAVER_METRICS=0` turns them off."""
    n = options.local_sample
    if n < 1 or n & (n - 1):
        raise ConfigError(f"config [weaver.metrics]: local_sample must be a power of two >= 1, got {n}")
    if not options.report_interval > 0:
        raise ConfigError(f"config [weaver.metrics]: report_interval must be > 0, got {options.report_interval}")
    env = os.environ.get(envvars.METRICS, "").strip().lower()
    r = options.remote_sample
    if r < 1 or r & (r - 1):
        raise ConfigError(f"config [weaver.metrics]: remote_sample must be a power of two >= 1, got {r}")
    settings.configure(options.enabled and env not in ("0", "off", "false", "no"), n, r, options.local)


def enabled(local: bool = False) -> bool:
    """Whether stubs created now record metrics (`[weaver.metrics] enabled`, `local`, `WEAVER_METRICS`)."""
    return settings.enabled and (settings.local or not local)


def error_kind(exc: BaseException) -> ErrorKind:
    """The `kind` label of a call that raised `exc`."""
    if isinstance(exc, AppError):
        return ErrorKind.APP
    if isinstance(exc, TimeoutError):  # DeadlineExceeded, or an asyncio timeout around the call
        return ErrorKind.DEADLINE
    if isinstance(exc, CommunicationError):
        return ErrorKind.COMMUNICATION
    if isinstance(exc, asyncio.CancelledError):
        at = callctx.deadline.get()
        if at is not None and callctx.clock.get()() >= at:
            return ErrorKind.DEADLINE
        return ErrorKind.COMMUNICATION  # abandoned by its caller
    return ErrorKind.REMOTE  # a RemoteCallError, or what a remote caller would receive as one


def failed(slot: CallSlot, exc: BaseException, started_ns: int, request_bytes: int) -> None:
    """Records a remote call (either side, already counted) that raised `exc`; 0: not timed."""
    if started_ns:
        slot.observe(now() - started_ns)
    if slot.key[4] == CALLER:
        slot.request_bytes += request_bytes
    slot.failed(error_kind(exc))


async def sampled(slot: CallSlot, coro: Coroutine[Any, Any, T]) -> T:
    """Awaits a co-located call chosen for timing (already counted in `slot.calls`)."""
    t = now()
    try:
        result = await coro
    except BaseException as e:
        slot.observe(now() - t)
        slot.failed(error_kind(e))
        raise
    slot.observe(now() - t)
    return result
