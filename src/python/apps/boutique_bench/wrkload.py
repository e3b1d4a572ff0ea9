"""The shop under `wrk` (Debian's package, a compiled HTTP client) with the Locust task mix.

`wrk` 4.1 runs closed loop: each connection sends its next request as soon as the last one is
answered, so with enough connections it finds the most the app can serve (the knee), and it
costs far less CPU per request than any Python client. (Fixed offered rates are wrk2's, which
Debian does not package; those stay with the Python open-loop generator, `apps.boutique.loadgen`.)
The task mix is `wrk/taskmix.lua`; the catalogue and the checkout form come from Python.
"""

from __future__ import annotations

import importlib.resources
import json
import shutil
import subprocess
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from apps.boutique.loadgen import CURRENCIES, PRODUCTS, QUANTITIES
from apps.boutique.session import CHECKOUT_FORM

MARKER = "WRK-RESULT "


class WrkError(RuntimeError):
    """wrk could not run, or printed no result."""


@dataclass
class WrkReport:
    """One wrk run: counts, latency percentiles per HTTP request, and what went wrong."""

    connections: int
    threads: int
    duration_s: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    """Socket errors by kind (connect, read, write, timeout) and non-2xx/3xx statuses ('status')."""
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def unavailable() -> str:
    """Why wrk cannot run here ('' if it can)."""
    return "" if shutil.which("wrk") else "wrk is not installed (Debian package wrk)"


def _script(tmp: Path) -> Path:
    path = tmp / "taskmix.lua"
    path.write_bytes(importlib.resources.files("apps.boutique_bench").joinpath("wrk/taskmix.lua").read_bytes())
    return path


def command(url: str, script: Path, connections: int, threads: int, duration: float, seed: int) -> list[str]:
    """The wrk command line for one run."""
    return [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=10s",
        f"--script={script}",
        url,
        "--",
        str(seed),
        ",".join(PRODUCTS),
        ",".join(CURRENCIES),
        ",".join(QUANTITIES),
        urllib.parse.urlencode(CHECKOUT_FORM),
    ]


def parse(output: str, connections: int, threads: int) -> WrkReport:
    """The report in wrk's output (the script's WRK-RESULT line)."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            d = json.loads(line[len(MARKER) :])
            duration = d["duration_us"] / 1e6
            return WrkReport(
                connections=connections,
                threads=threads,
                duration_s=round(duration, 3),
                requests=d["requests"],
                rps=round(d["requests"] / duration, 1) if duration else 0.0,
                p50_ms=d["p50_us"] / 1000,
                p99_ms=d["p99_us"] / 1000,
                errors={k: v for k, v in d["errors"].items() if v},
                statuses=d["statuses"],
            )
    raise WrkError(f"wrk printed no {MARKER.strip()} line:\n{output[-2000:]}")


def run(url: str, connections: int, duration: float, seed: int = 1, threads: int = 1) -> WrkReport:
    """Run wrk against the shop at `url` for `duration` s with `connections` open connections."""
    if why := unavailable():
        raise WrkError(why)
    threads = min(threads, connections)
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        cmd = command(url, _script(Path(tmp)), connections, threads, duration, seed)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
        except subprocess.TimeoutExpired as e:
            raise WrkError(f"wrk did not finish within {duration + 30:.0f} s") from e
    if proc.returncode != 0:
        raise WrkError(f"wrk exited with {proc.returncode}: {proc.stderr.strip()[-1000:]}")
    return parse(proc.stdout, connections, threads)
