"""Structured logging in a proclet: every record becomes a `LogEntry` sent to the envelope.

Records are queued by a `logging.Handler` (cheap, no I/O in the caller) and sent in batches by
the proclet's pipe loop. Component loggers (`weaver.log`) tag records with component and
replica; other records are attributed to their logger's name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from weaver.internal import accesslog
from weaver.runtime.messages import LogEntry, Logs

MAX_QUEUED = 10_000
"""Entries kept while the pipe is slow; older ones are dropped (and counted)."""


class PipeLogHandler(logging.Handler):
    """Collects log records as `LogEntry`s; `take()` returns a batch to send."""

    def __init__(self, app: str, version: str, replica: str, group: str, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.app = app
        self.version = version
        self.replica = replica
        self.group = group
        self.queue: list[LogEntry] = []
        self.dropped = 0
        self.on_first: Callable[[], None] | None = None
        """Called when the queue stops being empty, so an idle proclet never wakes to flush."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # noqa: BLE001 - a bad format string must not kill the caller
            message = f"{record.msg!r} (unformattable: args {record.args!r})"
        entry = LogEntry(
            app=self.app,
            version=self.version,
            component=str(getattr(record, "component", "") or record.name),
            replica=str(getattr(record, "replica", "") or self.replica),
            time=record.created,
            level=record.levelname,
            file=record.pathname.rsplit("/", 1)[-1],
            line=record.lineno,
            msg=message,
            group=self.group,
            trace_id=getattr(record, "trace_id", None) or accesslog.trace_id(),
            attrs=getattr(record, "access", None) or {},
        )
        if len(self.queue) >= MAX_QUEUED:
            self.queue.pop(0)
            self.dropped += 1
        self.queue.append(entry)
        if len(self.queue) == 1 and self.on_first is not None:
            self.on_first()

    def take(self) -> Logs | None:
        """The queued entries as one message (None if there are none)."""
        if not self.queue:
            return None
        batch, self.queue = self.queue, []
        if self.dropped:
            batch.append(self.note(f"{self.dropped} log entries dropped (pipe too slow)"))
            self.dropped = 0
        return Logs(batch)

    def note(self, message: str, level: str = "WARNING") -> LogEntry:
        return LogEntry(
            app=self.app,
            version=self.version,
            component="weaver.proclet",
            replica=self.replica,
            time=time.time(),
            level=level,
            msg=message,
            group=self.group,
        )
