"""Deployment logs as JSON lines: the manager appends, `weaver multi logs` reads and follows.

A filter is a list of terms, all of which must hold: `field=value`, `field!=value`,
`field~substring` (fields: app, version, component, replica, group, level, source, file, msg, trace_id;
version matches by prefix), `level>=WARNING`, or a bare word that must occur in the message.
"""

from __future__ import annotations

import datetime
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from weaver.errors import WeaverError
from weaver.runtime.messages import LogEntry

FIELDS = ("app", "version", "component", "replica", "group", "level", "source", "file", "msg", "trace_id")
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_TERM = re.compile(r"^(\w+)(>=|!=|=|~)(.*)$")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(LogEntry).decode


class FilterError(WeaverError, ValueError):
    """A filter term that cannot be understood (names the term)."""


MAX_BYTES = 64 * 1024 * 1024
"""A deployment's log file is rotated past this size: `logs.jsonl` -> `logs.jsonl.1` (the previous
`.1` is dropped), so a deployment keeps at most twice this much log."""


def rotated(path: Path) -> Path:
    """Where `path` goes when it is rotated."""
    return path.with_name(path.name + ".1")


class LogWriter:
    """Appends entries to one JSON-lines file, rotated past `max_bytes` (one old file kept)."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._file: IO[bytes] | None = None
        self._size = 0

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "ab")  # noqa: SIM115 - lives as long as the deployment
        self._size = self._file.tell()

    def write(self, entries: Iterable[LogEntry]) -> None:
        if self._file is None:
            return
        data = b"".join(_encode(e) + b"\n" for e in entries)
        if self._size and self._size + len(data) > self.max_bytes:
            self._file.close()
            os.replace(self.path, rotated(self.path))
            self.open()
        assert self._file is not None
        self._file.write(data)
        self._file.flush()
        self._size += len(data)

    def note(self, info: Any, message: str, group: str = "", level: str = "WARNING") -> None:
        """An entry from the manager itself."""
        self.write(
            [
                LogEntry(
                    app=info.app,
                    version=info.version,
                    component="weaver.manager",
                    time=time.time(),
                    level=level,
                    msg=message,
                    group=group,
                    source="manager",
                )
            ]
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def parse_filter(terms: Iterable[str]) -> list[tuple[str, str, str]]:
    out = []
    for term in terms:
        match = _TERM.match(term)
        if match is None:
            out.append(("msg", "~", term))
            continue
        field, op, value = match.groups()
        if field not in FIELDS:
            raise FilterError(f"filter {term!r}: unknown field {field!r} (fields: {', '.join(FIELDS)})")
        if op == ">=" and (field != "level" or value.upper() not in LEVELS):
            raise FilterError(f"filter {term!r}: '>=' works on level only, with one of {', '.join(LEVELS)}")
        out.append((field, op, value))
    return out


def matches(entry: LogEntry, terms: list[tuple[str, str, str]]) -> bool:
    for field, op, value in terms:
        have = str(getattr(entry, field))
        if op == "=":
            ok = have.startswith(value) if field == "version" else have == value
        elif op == "!=":
            ok = have != value
        elif op == "~":
            ok = value in have
        else:
            ok = LEVELS.get(have, 20) >= LEVELS[value.upper()]
        if not ok:
            return False
    return True


def read(paths: Iterable[Path], terms: list[tuple[str, str, str]]) -> list[LogEntry]:
    """Every matching entry of the files and their rotated parts, ordered by time; bad lines are
    skipped."""
    out: list[LogEntry] = []
    for path in paths:
        for part in (rotated(path), path):
            try:
                with open(part, "rb") as f:
                    out.extend(e for e in _entries(f) if matches(e, terms))
            except FileNotFoundError:
                continue
    out.sort(key=lambda e: e.time)
    return out


def follow(
    paths: Iterable[Path], terms: list[tuple[str, str, str]], poll: float = 0.2, limit: float | None = None
) -> Iterator[LogEntry]:
    """New matching entries as they are appended from now on (for `limit` seconds, or forever).
    A file that is rotated meanwhile is read to its end, then followed in its new file from the
    start. The files are opened (at their end) by this call, before the first entry is asked for."""
    files: dict[Path, IO[bytes]] = {p: open(p, "rb") for p in paths}  # noqa: SIM115 - closed by _follow
    for f in files.values():
        f.seek(0, 2)
    return _follow(files, terms, poll, limit)


def _follow(
    files: dict[Path, IO[bytes]], terms: list[tuple[str, str, str]], poll: float, limit: float | None
) -> Iterator[LogEntry]:
    try:
        end = None if limit is None else time.monotonic() + limit
        while end is None or time.monotonic() < end:
            got = False
            for path, f in list(files.items()):
                for entry in _entries(f):
                    got = True
                    if matches(entry, terms):
                        yield entry
                if _replaced(path, f):
                    f.close()
                    files[path] = open(path, "rb")  # noqa: SIM115 - closed below
                    got = True
            if not got:
                time.sleep(poll)
    finally:
        for f in files.values():
            f.close()


def _replaced(path: Path, f: IO[bytes]) -> bool:
    """Whether `path` now names another file than the open `f` (it was rotated)."""
    try:
        return path.stat().st_ino != os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return False


def _entries(f: IO[bytes]) -> Iterator[LogEntry]:
    while line := f.readline():
        if not line.endswith(b"\n"):
            f.seek(-len(line), 1)  # a partial line: read it whole next time
            return
        try:
            yield _decode(line)
        except msgspec.DecodeError:
            continue


def format_entry(e: LogEntry) -> str:
    """`LEVEL time app@version component replica file:line] message`."""
    when = datetime.datetime.fromtimestamp(e.time).strftime("%H:%M:%S.%f")[:-3]
    where = f" {e.file}:{e.line}" if e.file else ""
    trace = f" trace={e.trace_id}" if e.trace_id else ""
    return f"{e.level[:1]} {when} {e.app}@{e.version[:8]} {e.component} {e.replica}{where}] {e.msg}{trace}"
