"""Deployment logs as JSON lines: the manager appends, `weaver multi logs` reads and follows.

A filter is a list of terms, all of which must hold: `field=value`, `field!=value`,
`field~substring` (fields: app, version, component, replica, group, level, source, file, msg;
version matches by prefix), `level>=WARNING`, or a bare word that must occur in the message.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from weaver.errors import WeaverError
from weaver.runtime.messages import LogEntry

FIELDS = ("app", "version", "component", "replica", "group", "level", "source", "file", "msg")
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_TERM = re.compile(r"^(\w+)(>=|!=|=|~)(.*)$")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(LogEntry).decode


class FilterError(WeaverError, ValueError):
    """A filter term that cannot be understood (names the term)."""


class LogWriter:
    """Appends entries to one JSON-lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "ab")  # noqa: SIM115 - lives as long as the deployment

    def write(self, entries: Iterable[LogEntry]) -> None:
        if self._file is not None:
            self._file.write(b"".join(_encode(e) + b"\n" for e in entries))
            self._file.flush()

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
    """Every matching entry of the files, ordered by time; bad lines are skipped."""
    out: list[LogEntry] = []
    for path in paths:
        with open(path, "rb") as f:
            out.extend(e for e in _entries(f) if matches(e, terms))
    out.sort(key=lambda e: e.time)
    return out


def follow(
    paths: Iterable[Path], terms: list[tuple[str, str, str]], poll: float = 0.2, limit: float | None = None
) -> Iterator[LogEntry]:
    """New matching entries as they are appended (for `limit` seconds, or forever)."""
    files = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed below
    try:
        for f in files:
            f.seek(0, 2)
        end = None if limit is None else time.monotonic() + limit
        while end is None or time.monotonic() < end:
            got = False
            for f in files:
                for entry in _entries(f):
                    got = True
                    if matches(entry, terms):
                        yield entry
            if not got:
                time.sleep(poll)
    finally:
        for f in files:
            f.close()


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
    return f"{e.level[:1]} {when} {e.app}@{e.version[:8]} {e.component} {e.replica}{where}] {e.msg}"
