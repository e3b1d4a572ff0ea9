"""The logs page's filters: component (full or short name), minimum level, trace id, newest N."""

from __future__ import annotations

import pytest

from weaver.dashboard.logview import LogQuery, LogQueryError, select
from weaver.runtime.messages import LogEntry

TRACE = "0123456789abcdef" * 2


def entry(t: float, component: str, level: str = "INFO", trace: str = "") -> LogEntry:
    return LogEntry(app="a", version="v", component=component, time=t, level=level, msg=f"m{t}", trace_id=trace)


ENTRIES = [
    entry(3, "apps.hello.greeter.Greeter", "WARNING", TRACE),
    entry(1, "apps.hello.greeter.Greeter"),
    entry(2, "weaver.access", trace=TRACE),
    entry(4, "apps.hello.counter.Counter", "ERROR"),
]


def times(query: dict[str, str]) -> list[float]:
    return [e.time for e in select(ENTRIES, LogQuery.parse(query))]


def test_filters_combine() -> None:
    assert times({}) == [1, 2, 3, 4]
    assert times({"component": "Greeter"}) == [1, 3]
    assert times({"component": "apps.hello.greeter.Greeter", "level": "warning"}) == [3]
    assert times({"level": "WARNING"}) == [3, 4]
    assert times({"trace_id": TRACE.upper()}) == [2, 3]
    assert times({"limit": "2"}) == [3, 4]  # the newest ones


@pytest.mark.parametrize(
    ("query", "message"),
    [({"level": "LOUD"}, "level 'LOUD'"), ({"trace_id": "xyz"}, "trace_id 'xyz'"), ({"limit": "x"}, "limit 'x'")],
)
def test_bad_filters_name_the_field(query: dict[str, str], message: str) -> None:
    with pytest.raises(LogQueryError, match=message):
        LogQuery.parse(query)
