"""Automatic per-method call metrics, cheap enough to be always on.

A stub resolves its slot once per (caller, callee, method, remote, side) with `call_slot(...)`;
each call then only adds to the slot's plain int fields: no dict, no label formatting, no lock
(a proclet's calls run on one event loop thread). Labels are attached when reporting.

A remote call is counted twice, once per side: `side="caller"` by the client stub (latency as
the caller saw it, transport included) and `side="callee"` by the server's handler (the callee's
own time; the server does not know the calling component, so `caller` is ""). A co-located call
is counted once, on the caller's side. Every call is counted in `calls`, its errors by kind and
(remote, caller's side: the callee sees the same payloads) its bytes; 1 in `mask + 1` calls is
also timed into the latency histogram, whose count says how many were
(`[weaver.metrics] remote_sample` / `local_sample`; 1 times every call).
"""

from __future__ import annotations

import bisect
import enum

from weaver.metrics.snapshot import MetricSnapshot, Series

LATENCY_BOUNDS_NS: tuple[int, ...] = tuple(
    int(x * 1000)
    for x in (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
              250000, 500000, 1000000, 5000000)
)  # fmt: skip
"""Latency bucket upper bounds in nanoseconds: 1 us to 5 s, then +Inf."""

_bucket = bisect.bisect_left
CALLER = "caller"
CALLEE = "callee"


class ErrorKind(enum.IntEnum):
    """Why a call failed, as reported in the `kind` label."""

    APP = 0  # the method raised an application error
    REMOTE = 1  # the callee failed with something else (a RemoteCallError for a remote caller)
    COMMUNICATION = 2  # the transport failed (connection lost, no replica) or the call was abandoned
    DEADLINE = 3  # the call's deadline passed


class CallSlot:
    """One edge's counters; update only from the loop thread."""

    __slots__ = (
        "key",
        "calls",
        "errors",
        "counts",
        "latency_ns",
        "request_bytes",
        "reply_bytes",
        "mask",
    )

    def __init__(self, key: tuple[str, str, str, bool, str], mask: int = 0) -> None:
        self.key = key
        self.calls = 0
        self.errors = [0, 0, 0, 0]
        self.counts = [0] * (len(LATENCY_BOUNDS_NS) + 1)
        self.latency_ns = 0
        self.request_bytes = 0
        self.reply_bytes = 0
        self.mask = mask
        """A call is timed when `calls & mask == 0` (0: every call)."""

    def record(self, elapsed_ns: int, request_bytes: int = 0, reply_bytes: int = 0) -> None:
        """Counts one call that took `elapsed_ns` (succeeded or not: see `failed`)."""
        self.calls += 1
        self.counts[_bucket(LATENCY_BOUNDS_NS, elapsed_ns)] += 1
        self.latency_ns += elapsed_ns
        self.request_bytes += request_bytes
        self.reply_bytes += reply_bytes

    def observe(self, elapsed_ns: int) -> None:
        """Times one call already counted in `calls` (a sampled call)."""
        self.counts[_bucket(LATENCY_BOUNDS_NS, elapsed_ns)] += 1
        self.latency_ns += elapsed_ns

    def failed(self, kind: ErrorKind) -> None:
        """Counts one failed call of `kind` (in addition to `record` or `observe`)."""
        self.errors[kind] += 1


LABELS = ("caller", "component", "method", "version", "remote", "side")
"""Label names of every `weaver_method_*` metric (`weaver_method_errors` adds `kind`)."""


class CallTable:
    """All call slots of a proclet, created on first resolution and kept for its life."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str, str, str, bool, str], CallSlot] = {}

    def slot(self, caller: str, callee: str, method: str, remote: bool, side: str = CALLER) -> CallSlot:
        """The slot for this edge (the same object every time)."""
        key = (caller, callee, method, remote, side)
        s = self._slots.get(key)
        if s is None:
            s = self._slots[key] = CallSlot(key, settings.remote_mask if remote else settings.local_mask)
        return s

    def snapshot(self, version: str) -> list[MetricSnapshot]:
        """The `weaver_method_*` metrics of every slot, labelled with `version`."""
        calls, errors, lat, req, rep = [], [], [], [], []
        for s in list(self._slots.values()):
            caller, callee, method, remote, side = s.key
            lv = (caller, callee, method, version, "true" if remote else "false", side)
            calls.append(Series(lv, float(s.calls)))
            for kind in ErrorKind:
                errors.append(Series((*lv, kind.name.lower()), float(s.errors[kind])))
            lat.append(Series(lv, s.latency_ns / 1e9, tuple(s.counts), sum(s.counts)))
            if remote and side == CALLER:
                req.append(Series(lv, float(s.request_bytes)))
                rep.append(Series(lv, float(s.reply_bytes)))
        bounds = tuple(b / 1e9 for b in LATENCY_BOUNDS_NS)
        return [
            MetricSnapshot("weaver_method_calls", "Component method calls.", "counter", LABELS,
                           tuple(calls)),
            MetricSnapshot("weaver_method_errors", "Failed method calls by kind.", "counter",
                           (*LABELS, "kind"), tuple(errors)),
            MetricSnapshot("weaver_method_latency_seconds", "Method call latency.", "histogram",
                           LABELS, tuple(lat), bounds),
            MetricSnapshot("weaver_method_request_bytes", "Request bytes of remote calls.",
                           "counter", LABELS, tuple(req)),
            MetricSnapshot("weaver_method_reply_bytes", "Reply bytes of remote calls.",
                           "counter", LABELS, tuple(rep)),
        ]  # fmt: skip


class Settings:
    """Process-wide switches, read when a stub is created (not per call)."""

    __slots__ = ("enabled", "local", "local_mask", "remote_mask")

    def __init__(self) -> None:
        self.enabled = True
        self.local = True
        self.local_mask = 63
        self.remote_mask = 63

    def configure(
        self, enabled: bool, local_sample: int = 64, remote_sample: int = 64, local: bool = True
    ) -> None:
        """Time 1 in `local_sample` co-located and 1 in `remote_sample` remote calls (powers of two)."""
        for name, n in (("local_sample", local_sample), ("remote_sample", remote_sample)):
            if n < 1 or n & (n - 1):
                raise ValueError(f"{name} must be a power of two >= 1, got {n}")
        self.enabled = enabled
        self.local = local
        self.local_mask = local_sample - 1
        self.remote_mask = remote_sample - 1


settings = Settings()
TABLE = CallTable()
"""The proclet's call table, filled by the stubs."""


def call_slot(caller: str, callee: str, method: str, remote: bool, side: str = CALLER) -> CallSlot:
    """The process-wide slot for this edge; resolve once, keep it, call `record` per call."""
    return TABLE.slot(caller, callee, method, remote, side)
