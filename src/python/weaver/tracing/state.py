"""Whether this process traces, and its tracer: set once from `[weaver.tracing]` by the runtime.

Stubs and handlers ask `tracer()` when they are created, never per call, so with tracing off
(the default outside `weaver multi`) a call runs the plain code. OpenTelemetry is imported
only when tracing turns on: the CLI, the codegen tool and untraced processes never load it.
"""

from __future__ import annotations

import os
import random
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING

from weaver.config import ConfigError, TracingOptions
from weaver.internal import envvars

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

    from weaver.tracing.spanbuffer import Collector

_tracer: Tracer | None = None
_collector: Collector | None = None
_provider: TracerProvider | None = None
_ratio = 0.0

unsampled: ContextVar[bool] = ContextVar("weaver_trace_unsampled", default=False)
"""True inside a request whose root decided not to record: nested calls make no new root."""


def sample_root() -> bool:
    """Whether a new trace is recorded: decided here, since the SDK's sampler costs ~7 us a try."""
    return _ratio > 0.0 and (_ratio >= 1.0 or random.random() < _ratio)


def check(options: TracingOptions) -> None:
    """Raise ConfigError naming the key when `[weaver.tracing]` holds a bad value."""
    if not 0.0 <= options.sample_ratio <= 1.0:
        raise ConfigError(f"config [weaver.tracing]: sample_ratio must be in [0, 1], got {options.sample_ratio}")
    if options.keep_traces < 1:
        raise ConfigError(f"config [weaver.tracing]: keep_traces must be >= 1, got {options.keep_traces}")
    endpoint = options.otlp_endpoint
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"config [weaver.tracing]: otlp_endpoint must be an http(s) URL, got {endpoint!r}")


def configure(options: TracingOptions, process: str, service: str = "weaver") -> None:
    """Apply `[weaver.tracing]` to stubs, handlers and listeners created from now on."""
    global _tracer, _collector, _provider, _ratio
    check(options)
    on = options.enabled if options.enabled is not None else envvars.PROCLET in os.environ
    shutdown()
    if not on:
        return
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

        from weaver.tracing.spanbuffer import Collector
    except ImportError as e:
        if options.enabled:
            raise ConfigError(
                f"config [weaver.tracing]: enabled = true, but this app cannot import OpenTelemetry ({e}); "
                "add opentelemetry-sdk to the app's requirements"
            ) from e
        print(f"weaver: tracing off in {process}: OpenTelemetry is not installed ({e})", file=sys.stderr)
        return
    provider = TracerProvider(
        sampler=ParentBased(ALWAYS_ON),  # roots are decided by `sample_root`, before the SDK is asked
        resource=Resource.create({"service.name": service, "service.instance.id": process}),
    )
    collector = Collector(process)
    provider.add_span_processor(collector)
    endpoint = options.otlp_endpoint
    if endpoint:
        from weaver.tracing.otlp import OtlpJsonExporter

        provider.add_span_processor(BatchSpanProcessor(OtlpJsonExporter(endpoint, service)))
    _provider, _collector, _tracer = provider, collector, provider.get_tracer("weaver")
    _ratio = options.sample_ratio


def tracer() -> Tracer | None:
    """The tracer of this process, or None when tracing is off."""
    return _tracer


def collector() -> Collector | None:
    """Where this process's finished spans wait to be drained (None when tracing is off)."""
    return _collector


def shutdown() -> None:
    """Flush exporters (the OTLP batch) and stop tracing in this process."""
    global _tracer, _collector, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _collector = _provider = None
