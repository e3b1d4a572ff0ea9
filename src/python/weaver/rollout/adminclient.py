"""A blocking client for one proxy's admin endpoint (weaver.proxy.admin), and snapshot merging.

The controller is synchronous and talks to a handful of listeners once a second, so a plain
`http.client` connection per call is enough (and never leaves sockets behind).
"""

from __future__ import annotations

import http.client

import msgspec

from weaver.internal.address import parse_address
from weaver.proxy.stats import Snapshot, VersionStats, percentile_us
from weaver.proxy.table import Table, encode_table
from weaver.rollout.paths import RolloutError


class AdminClient:
    def __init__(self, address: str, timeout: float = 3.0) -> None:
        self.address = address
        self.host, self.port = parse_address(address, what="proxy admin address")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: bytes | None = None) -> bytes:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        except OSError as e:
            raise RolloutError(f"proxy admin {self.address}: {method} {path}: {e}") from None
        finally:
            conn.close()
        if response.status != 200:
            raise RolloutError(f"proxy admin {self.address}: {method} {path}: {response.status} {data[:200]!r}")
        return data

    def healthy(self) -> bool:
        try:
            return self._call("GET", "/healthz") == b'"ok"'
        except RolloutError:
            return False

    def put_table(self, table: Table) -> None:
        self._call("PUT", "/table", encode_table(table))

    def get_table(self) -> Table:
        return msgspec.json.decode(self._call("GET", "/table"), type=Table)

    def stats(self) -> Snapshot:
        return msgspec.json.decode(self._call("GET", "/stats"), type=Snapshot)


_SUMMED = (
    "requests pinned repinned status_1xx status_2xx status_3xx status_4xx status_5xx proxy_errors "
    "client_aborts in_flight tunnels"
).split()


def merge(snapshots: list[Snapshot]) -> Snapshot:
    """One snapshot for the app: counters and histograms summed over listeners, idle the least."""
    versions: dict[str, VersionStats] = {}
    for snap in snapshots:
        for vid, s in snap.versions.items():
            m = versions.setdefault(vid, VersionStats())
            for name in _SUMMED:
                setattr(m, name, getattr(m, name) + getattr(s, name))
            for bucket, n in s.latency.items():
                m.latency[bucket] = m.latency.get(bucket, 0) + n
            if s.idle_s is not None:
                m.idle_s = s.idle_s if m.idle_s is None else min(m.idle_s, s.idle_s)
    for m in versions.values():
        m.p50_us, m.p99_us = percentile_us(m.latency, 0.5), percentile_us(m.latency, 0.99)
    return Snapshot(
        max((s.taken_at for s in snapshots), default=0.0),
        versions,
        sum(s.unrouted for s in snapshots),
        sum(s.bad_requests for s in snapshots),
    )
