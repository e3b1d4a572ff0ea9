"""The proxy worker's access log entries, as `LogEntry`s for the shipper.

The proxy's observer logs one `weaver.access` record per request (weaver.internal.accesslog),
naming the version that served it. `ShipHandler` turns each into the entry a listener's access
log has in the version's log store (component `weaver.access`, the fields in `attrs`, the
trace id), with the proxy as its replica, and hands it to the shipper for that version.
"""

from __future__ import annotations

import logging

from weaver.internal import accesslog
from weaver.rollout.shipper import Shipper
from weaver.runtime.messages import LogEntry


class ShipHandler(logging.Handler):
    """Hands every access record of the proxy to `shipper` (records without a version are dropped)."""

    def __init__(self, shipper: Shipper, app: str, replica: str = "proxy") -> None:
        super().__init__(logging.INFO)
        self.shipper = shipper
        self.app = app
        self.replica = replica

    def emit(self, record: logging.LogRecord) -> None:
        access = dict(getattr(record, "access", None) or {})
        version = access.get("version", "")
        entry = LogEntry(
            app=self.app,
            version=version,
            component="weaver.access",
            replica=f"{self.replica} {access.get('where', '')}".strip(),
            time=record.created,
            level=record.levelname,
            msg=record.getMessage(),
            source="proxy",
            trace_id=str(getattr(record, "trace_id", "") or ""),
            attrs=access,
        )
        self.shipper.offer_log(version, entry)


def install(shipper: Shipper, app: str) -> ShipHandler:
    """Ship the `weaver.access` records of this process from now on (not printed as well)."""
    handler = ShipHandler(shipper, app)
    logger = logging.getLogger(accesslog.log.name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler
