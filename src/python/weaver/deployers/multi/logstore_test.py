"""Log filters, and reading JSON lines (a partial last line waits for the rest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaver.deployers.multi.logstore import FilterError, LogWriter, follow, format_entry, parse_filter, read
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


def test_rotation_keeps_one_old_file_and_read_sees_both(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    w = LogWriter(path, max_bytes=1000)
    w.open()
    for i in range(40):
        w.write([entry(msg=f"line {i}", time=float(i))])
    w.close()
    old = path.with_name("logs.jsonl.1")
    assert path.stat().st_size <= 1000 and old.stat().st_size <= 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs.jsonl", "logs.jsonl.1"]
    msgs = [e.msg for e in read([path], [])]
    assert msgs == [f"line {i}" for i in range(40 - len(msgs), 40)] and len(msgs) >= 10  # the newest, in order


def test_follow_continues_across_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    w = LogWriter(path, max_bytes=600)
    w.open()
    w.write([entry(msg="before follow")])
    stream = follow([path], [], poll=0.01, limit=10.0)
    seen = []
    for i in range(12):  # 600 bytes hold about 4 entries: this rotates twice
        w.write([entry(msg=f"line {i}")])
        seen.append(next(stream).msg)
    w.close()
    assert seen == [f"line {i}" for i in range(12)]  # a follower that keeps up loses nothing
    assert path.with_name("logs.jsonl.1").exists()
