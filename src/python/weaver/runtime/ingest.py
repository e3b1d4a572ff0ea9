"""What a process outside a deployment (the rollout proxy) sends its manager: `POST /ingest`.

A batch of finished spans and log entries, msgspec-encoded as JSON, for the manager's trace
store and log file. The manager stores a batch whole or not at all: `decode` checks every
field first and raises `IngestError` naming the first bad one (`logs[3].version: ...`), which
the manager answers with 400.
"""

from __future__ import annotations

import re

import msgspec

from weaver.errors import WeaverError
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

PATH = b"/ingest"
MAX_BYTES = 4 * 1024 * 1024
"""The largest batch a manager reads; a shipper splits what it has into batches below this."""
_TRACE_ID = re.compile(r"[0-9a-f]{32}\Z")
_SPAN_ID = re.compile(r"[0-9a-f]{16}\Z")


class IngestError(WeaverError, ValueError):
    """A batch the manager will not store; the message names the field."""


class Batch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Spans and log entries of one sender, for one (app, version)."""

    source: str
    """Who sent it, for the manager's notes (e.g. "proxy of hello")."""
    spans: list[SpanRecord] = []
    logs: list[LogEntry] = []
    dropped: int = 0
    """Entries the sender dropped for this manager since its last batch (queue full, failed sends)."""


_decoder = msgspec.json.Decoder(Batch)
encode = msgspec.json.Encoder().encode


def decode(data: bytes, app: str, version: str) -> Batch:
    """The batch in `data`, checked for the deployment `app`@`version` (IngestError if bad)."""
    try:
        batch = _decoder.decode(data)
    except msgspec.ValidationError as e:
        raise IngestError(f"bad batch: {e}") from None
    except msgspec.DecodeError as e:
        raise IngestError(f"not a JSON batch: {e}") from None
    if batch.dropped < 0:
        raise IngestError(f"dropped: must be >= 0, not {batch.dropped}")
    for i, s in enumerate(batch.spans):
        _check_span(f"spans[{i}]", s)
    for i, entry in enumerate(batch.logs):
        if entry.app != app:
            raise IngestError(f"logs[{i}].app: {entry.app!r} is not this deployment's app {app!r}")
        if entry.version != version:
            raise IngestError(f"logs[{i}].version: {entry.version!r} is not this deployment's version {version!r}")
    return batch


def _check_span(where: str, s: SpanRecord) -> None:
    if not _TRACE_ID.match(s.trace_id):
        raise IngestError(f"{where}.trace_id: {s.trace_id!r} is not 32 lowercase hex digits")
    if not _SPAN_ID.match(s.span_id):
        raise IngestError(f"{where}.span_id: {s.span_id!r} is not 16 lowercase hex digits")
    if s.parent_id and not _SPAN_ID.match(s.parent_id):
        raise IngestError(f"{where}.parent_id: {s.parent_id!r} is neither empty nor 16 lowercase hex digits")
    if s.end_ns < s.start_ns:
        raise IngestError(f"{where}.end_ns: {s.end_ns} is before start_ns {s.start_ns}")
