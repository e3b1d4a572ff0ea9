"""Log filters, and reading JSON lines (a partial last line waits for the rest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaver.runtime.logstore import FilterError, LogWriter, format_entry, parse_filter, read
from weaver.runtime.messages import LogEntry


def entry(**kw: object) -> LogEntry:
    base: dict[str, object] = dict(
        app="hello", version="abc123", component="Greeter", replica="G.0:1", time=1.0, level="INFO", msg="hi there"
    )
    base.update(kw)
    return LogEntry(**base)  # type: ignore[arg-type]


def test_filters(tmp_path: Path) -> None:
    w = LogWriter(tmp_path / "logs.jsonl")
    w.open()
    w.write([entry(), entry(level="ERROR", component="Counter", time=2.0), entry(msg="other", time=0.5)])
    w.close()
    with open(tmp_path / "logs.jsonl", "ab") as f:
        f.write(b'{"app": "hel')  # a partial line being written
    files = [tmp_path / "logs.jsonl"]
    assert len(read(files, [])) == 3
    assert [e.component for e in read(files, parse_filter(["level>=WARNING"]))] == ["Counter"]
    assert [e.msg for e in read(files, parse_filter(["version=abc", "component!=Counter"]))] == ["other", "hi there"]
    assert [e.msg for e in read(files, parse_filter(["there"]))] == ["hi there", "hi there"]
    assert "Greeter G.0:1" in format_entry(entry())


@pytest.mark.parametrize(("term", "error"), [("colour=red", "unknown field 'colour'"), ("app>=x", "level only")])
def test_bad_filter_is_named(term: str, error: str) -> None:
    with pytest.raises(FilterError, match=error):
        parse_filter([term])
