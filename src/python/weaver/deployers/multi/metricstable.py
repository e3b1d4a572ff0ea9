"""`weaver multi metrics [FILTER]`: the manager's call metrics as a table, one row per edge side.

Reads the Prometheus text at the address in status.json with prometheus-client's parser (the
same text any scraper sees) and prints, per (version, caller, component, method, remote, side):
calls, errors by kind, mean latency and the p99 bucket bound.
"""

from __future__ import annotations

import io
import math
import urllib.request
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

KINDS = ("app", "remote", "communication", "deadline")


@dataclass
class Row:
    """One side of one edge."""

    labels: dict[str, str]
    calls: float = 0.0
    errors: dict[str, float] = field(default_factory=dict)
    latency_sum: float = 0.0
    timed: float = 0.0
    buckets: list[tuple[float, float]] = field(default_factory=list)
    """(upper bound, cumulative count), ascending."""

    def text(self) -> str:
        lb = self.labels
        return " ".join((lb["version"], lb["caller"], lb["component"], lb["method"], lb["remote"], lb["side"]))

    def quantile(self, q: float) -> float:
        """The upper bound of the bucket holding quantile `q` (seconds; inf past the last)."""
        if not self.timed:
            return math.nan
        for bound, count in self.buckets:
            if count >= q * self.timed:
                return bound
        return math.inf


def fetch(address: str, timeout: float = 5.0) -> str:
    """The exposition text of the manager at `address` (`host:port`)."""
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=timeout) as resp:
        return str(resp.read().decode())


def rows(text: str, filter: str = "") -> list[Row]:
    """The rows of `text` whose labels contain `filter` (any label value, substring)."""
    out: dict[tuple[str, ...], Row] = {}

    def row(labels: dict[str, str]) -> Row:
        key = tuple(labels[k] for k in ("version", "caller", "component", "method", "remote", "side"))
        if key not in out:
            out[key] = Row({k: labels[k] for k in ("version", "caller", "component", "method", "remote", "side")})
        return out[key]

    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if fam.name == "weaver_method_calls" and s.name.endswith("_total"):
                row(s.labels).calls = s.value
            elif fam.name == "weaver_method_errors" and s.name.endswith("_total"):
                r = row(s.labels)
                r.errors[s.labels["kind"]] = r.errors.get(s.labels["kind"], 0.0) + s.value
            elif fam.name == "weaver_method_latency_seconds":
                r = row(s.labels)
                if s.name.endswith("_sum"):
                    r.latency_sum = s.value
                elif s.name.endswith("_count"):
                    r.timed = s.value
                elif s.name.endswith("_bucket"):
                    r.buckets.append((float(s.labels["le"]), s.value))
    for r in out.values():
        r.buckets.sort()
    picked = [r for r in out.values() if filter in r.text()]
    return sorted(picked, key=lambda r: (r.labels["component"], r.labels["method"], r.labels["caller"], r.text()))


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else ">5000" if math.isinf(seconds) else f"{seconds * 1000:.3f}"


def table(found: list[Row], title: str = "") -> Table:
    """A rich table of `found`."""
    t = Table(title=title or None)
    for name in ("caller", "component", "method", "remote", "side", "calls", *KINDS, "mean ms", "p99 ms"):
        t.add_column(name, justify="right" if name not in ("caller", "component", "method") else "left")
    for r in found:
        lb = r.labels
        mean = r.latency_sum / r.timed if r.timed else math.nan
        t.add_row(
            lb["caller"] or "-",
            lb["component"].rsplit(".", 1)[-1],
            lb["method"],
            "remote" if lb["remote"] == "true" else "local",
            lb["side"],
            f"{r.calls:.0f}",
            *(f"{r.errors.get(k, 0.0):.0f}" for k in KINDS),
            _ms(mean),
            _ms(r.quantile(0.99)),
        )
    return t


def render(found: list[Row], title: str = "", width: int = 160) -> str:
    """The table as plain text (what `weaver multi metrics` prints)."""
    out = io.StringIO()
    Console(width=width, file=out, color_system=None).print(table(found, title))
    return out.getvalue()
