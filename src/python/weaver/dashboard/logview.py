"""The dashboard's log filters: component, minimum level, trace id; the newest `limit` entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from weaver.runtime.messages import LogEntry

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
LIMIT = 200


class LogQueryError(ValueError):
    """A filter value the dashboard cannot use (names the field)."""


@dataclass(frozen=True)
class LogQuery:
    component: str = ""
    """Exact full name, or a suffix after a dot (`Greeter` matches `apps.hello.greeter.Greeter`)."""
    level: str = ""
    """Minimum level, e.g. WARNING; "" for all."""
    trace_id: str = ""
    limit: int = LIMIT

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> LogQuery:
        """From a URL's query parameters; LogQueryError names a bad one."""
        level = params.get("level", "").upper()
        if level and level not in LEVELS:
            raise LogQueryError(f"level {params['level']!r}: want one of {', '.join(LEVELS)}")
        trace = params.get("trace_id", "").strip().lower()
        if trace and (len(trace) != 32 or any(c not in "0123456789abcdef" for c in trace)):
            raise LogQueryError(f"trace_id {params['trace_id']!r}: want 32 hex digits")
        try:
            limit = int(params.get("limit", LIMIT))
        except ValueError:
            raise LogQueryError(f"limit {params['limit']!r}: want a number") from None
        return cls(params.get("component", "").strip(), level, trace, max(1, min(limit, 5000)))

    def keeps(self, e: LogEntry) -> bool:
        c = self.component
        if c and e.component != c and not e.component.endswith("." + c):
            return False
        if self.level and LEVELS.get(e.level, 20) < LEVELS[self.level]:
            return False
        return not self.trace_id or e.trace_id == self.trace_id


def select(entries: Iterable[LogEntry], query: LogQuery) -> list[LogEntry]:
    """The newest `query.limit` entries that match, oldest first."""
    kept = [e for e in entries if query.keeps(e)]
    kept.sort(key=lambda e: e.time)
    return kept[-query.limit :]
