"""The logs page reads only the end of a deployment's log (and its rotated part when short)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from weaver.deployers.multi.dashboard import tail
from weaver.runtime.messages import LogEntry


def line(i: int) -> bytes:
    entry = LogEntry(app="a", version="v", time=float(i), level="INFO", msg=f"entry {i:04d}")
    return msgspec.json.encode(entry) + b"\n"


def test_tail_reads_whole_lines_of_the_end_and_the_rotated_part(tmp_path: Path) -> None:
    log = tmp_path / "logs.jsonl"
    (tmp_path / "logs.jsonl.1").write_bytes(b"".join(line(i) for i in range(3)))
    log.write_bytes(b"".join(line(i) for i in range(3, 100)) + b"not json\n" + line(100)[:-5])
    size = len(line(0))
    got = [e.time for e in tail(log, max_bytes=10 * size + size // 2)]
    assert got[-1] == 99.0 and 9 <= len(got) - 3 <= 10  # whole entries only: the cut one and junk skipped
    assert got[:3] == [0.0, 1.0, 2.0]
    assert [e.time for e in tail(tmp_path / "none.jsonl")] == []
