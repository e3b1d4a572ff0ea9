"""The dashboard's data in a multi deployment: the manager's own (`ManagerSource`) and, for
`weaver multi dashboard`, every running deployment's, asked of its manager (`StateDirSource`).

Rates need two samples: the manager keeps a bounded window (`RateWindow`, the last 10 s,
sampled every second from the totals it already aggregates), so every reader of its
`/dashboard.json`, whenever it comes, gets rates over the same recent seconds; the standalone
dashboard only relays them.
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from weaver.dashboard import rollout
from weaver.dashboard.figures import RateWindow, Sample, totals
from weaver.dashboard.model import DeploymentView, Overview, TraceRow, deployment_view, key_of
from weaver.deployers.multi import deployments
from weaver.internal import statedir
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

if TYPE_CHECKING:
    from weaver.deployers.multi.manager import Manager

SAMPLE_INTERVAL = 1.0
WINDOW = 10.0
TAIL_BYTES = 2 * 1024 * 1024
"""How much of the end of a log file the logs page reads (the newest entries)."""
FETCH_TIMEOUT = 5.0

_entry = msgspec.json.Decoder(LogEntry)
_overview = msgspec.json.Decoder(Overview)
_spans = msgspec.json.Decoder(list[SpanRecord])


def tail(path: Path, max_bytes: int = TAIL_BYTES) -> list[LogEntry]:
    """The entries in the last `max_bytes` of `path` (and of its rotated part if that is short)."""
    out: list[LogEntry] = []
    for part in (path.with_name(path.name + ".1"), path):
        try:
            with open(part, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(0, size - max_bytes))
                data = f.read()
        except FileNotFoundError:
            continue
        lines = data.split(b"\n")
        if size > max_bytes:
            lines = lines[1:]  # the first line is cut
        for line in lines:
            if line:
                try:
                    out.append(_entry.decode(line))
                except msgspec.DecodeError:
                    continue
    return out


class ManagerSource:
    """The dashboard of the manager's own deployment, read in its process."""

    def __init__(self, manager: Manager, window: RateWindow | None = None) -> None:
        self.manager = manager
        self.window = window or RateWindow(WINDOW)

    def sample(self) -> Sample:
        return Sample(time.monotonic(), totals(self.manager.metrics.merged()))

    async def run(self, interval: float = SAMPLE_INTERVAL) -> None:
        """Sample the totals into the window every `interval` seconds, until cancelled."""
        while True:
            self.window.add(self.sample())
            await asyncio.sleep(interval)

    def view(self) -> DeploymentView:
        now = self.sample()
        rows = [TraceRow(*msgspec.structs.astuple(s)) for s in self.manager.traces.summaries()]
        return deployment_view(self.manager.status(), now, self.window.oldest(now.time), rows)

    def overview(self) -> Overview:
        view = rollout.read(statedir.root(), self.manager.info.app)
        return Overview(deployments=[self.view()], rollouts=[view] if view is not None else [])

    def spans(self, dep: str, trace_id: str) -> list[SpanRecord]:
        mine = f"{self.manager.info.app}@{self.manager.info.version}"
        return self.manager.traces.trace(trace_id) if dep in ("", mine) else []

    def log_entries(self, dep: str) -> Iterable[LogEntry]:
        return tail(self.manager.dir / "logs.jsonl")


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: never an http_proxy


def _get(address: str, path: str) -> bytes:
    with _opener.open(f"http://{address}{path}", timeout=FETCH_TIMEOUT) as resp:
        return bytes(resp.read())


class StateDirSource:
    """Every running deployment under the state dir (of `app` if given), from its manager's
    `/dashboard.json` and `/traces`, and its log file."""

    def __init__(self, app: str | None = None) -> None:
        self.app = app

    def _running(self) -> list[deployments.Deployment]:
        return [d for d in deployments.listed(self.app) if d.alive]

    def overview(self) -> Overview:
        views: list[DeploymentView] = []
        errors: list[str] = []
        rollouts: dict[str, rollout.RolloutView] = {}
        for d in self._running():
            where = f"{key_of(d.status)}: http://{d.status.metrics}/dashboard.json"
            if not d.status.metrics:
                errors.append(f"{key_of(d.status)}: its manager publishes no endpoint")
                continue
            try:
                got = _overview.decode(_get(d.status.metrics, "/dashboard.json"))
                views += got.deployments
                for r in got.rollouts:  # every version of an app shows its rollout: keep the latest
                    if r.app not in rollouts or r.started >= rollouts[r.app].started:
                        rollouts[r.app] = r
            except (OSError, urllib.error.URLError) as e:
                errors.append(f"{where}: {e}")
            except msgspec.DecodeError as e:
                errors.append(f"{where}: not the dashboard's JSON ({e})")
        return Overview(deployments=views, errors=errors, rollouts=list(rollouts.values()))

    def spans(self, dep: str, trace_id: str) -> list[SpanRecord]:
        for d in self._running():
            if d.status.metrics and dep in ("", key_of(d.status)):
                try:
                    found = _spans.decode(_get(d.status.metrics, f"/traces?id={trace_id}"))
                except (OSError, urllib.error.URLError, msgspec.DecodeError):
                    continue
                if found:
                    return found
        return []

    def log_entries(self, dep: str) -> Iterable[LogEntry]:
        out: list[LogEntry] = []
        for d in self._running():
            if dep in ("", key_of(d.status)):
                out += tail(d.dir / "logs.jsonl")
        return out
