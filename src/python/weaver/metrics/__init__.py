"""Metrics for weaver apps: the user API (`Counter`, `Gauge`, `Histogram` and their `*Map`
forms with a fixed label type), automatic per-method call metrics, and Prometheus export.

Declare metrics at module level; reading them out is the runtime's job (`snapshot()`).
"""

from weaver.metrics.calls import CallSlot, ErrorKind, call_slot
from weaver.metrics.user import (
    Counter,
    CounterMap,
    Gauge,
    GaugeMap,
    Histogram,
    HistogramMap,
)

__all__ = [
    "CallSlot",
    "Counter",
    "CounterMap",
    "ErrorKind",
    "Gauge",
    "GaugeMap",
    "Histogram",
    "HistogramMap",
    "call_slot",
]
