"""OTLP/HTTP export in the protocol's JSON encoding (`POST <endpoint>/v1/traces`), stdlib only.

The OTLP exporter packages pull in protobuf and grpc versions that fight the gRPC baseline's;
the JSON encoding of OTLP/HTTP is specified (opentelemetry-proto's `otlp.md`) and small, so
weaver writes it. Runs in the SDK's batch processor thread; a failed POST drops the batch.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, StatusCode

log = logging.getLogger("weaver.tracing")

_KIND = {SpanKind.INTERNAL: 1, SpanKind.SERVER: 2, SpanKind.CLIENT: 3, SpanKind.PRODUCER: 4, SpanKind.CONSUMER: 5}
_STATUS = {StatusCode.UNSET: 0, StatusCode.OK: 1, StatusCode.ERROR: 2}


def _attrs(items: Mapping[str, object] | None) -> list[dict[str, object]]:
    return [{"key": k, "value": {"stringValue": str(v)}} for k, v in (items or {}).items()]


def encode(spans: Sequence[ReadableSpan], service: str) -> bytes:
    """The OTLP JSON body (ExportTraceServiceRequest) for `spans`."""
    out = []
    for s in spans:
        c = s.context
        assert c is not None
        item: dict[str, object] = {
            "traceId": f"{c.trace_id:032x}",
            "spanId": f"{c.span_id:016x}",
            "name": s.name,
            "kind": _KIND.get(s.kind, 1),
            "startTimeUnixNano": str(s.start_time or 0),
            "endTimeUnixNano": str(s.end_time or 0),
            "attributes": _attrs(s.attributes),
            "status": {"code": _STATUS[s.status.status_code], "message": s.status.description or ""},
        }
        if s.parent is not None:
            item["parentSpanId"] = f"{s.parent.span_id:016x}"
        out.append(item)
    resource = {"attributes": _attrs({"service.name": service})}
    body = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "weaver"}, "spans": out}]}]}
    return json.dumps(body).encode()


class OtlpJsonExporter(SpanExporter):
    """Posts batches of spans to an OTLP/HTTP collector."""

    def __init__(self, endpoint: str, service: str, timeout: float = 5.0) -> None:
        self.url = endpoint.rstrip("/") + "/v1/traces"
        self.service = service
        self.timeout = timeout

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        req = urllib.request.Request(self.url, encode(spans, self.service), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                resp.read()
        except (OSError, urllib.error.URLError) as e:
            log.warning("OTLP export to %s failed: %s", self.url, e)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass
