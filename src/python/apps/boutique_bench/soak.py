"""`python -m apps.boutique_bench.soak`: the split shop under steady load, watched for growth.

Starts the shop under the multiprocess deployer (the bench's split variant: a manager and 11
proclets), offers a steady task rate with the bench's load generator for `--minutes`, and every
`--every` seconds samples each process's RSS, open fds and threads, and the size of the
deployment's state dir (logs, status). It prints, per process, the first and last figures and
the growth per minute: the least-squares slope over the samples after the first (`--warmup`),
so a process that only warms up its caches does not count as leaking. `--check` exits 1 if a
bound is broken (BOUNDS; what they allow and why is in docs/soak.md); `--json FILE` writes it all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from apps.boutique_bench import procstat
from apps.boutique_bench.measure import run_loadgen
from apps.boutique_bench.variants import SplitVariant


@dataclass(frozen=True)
class Bounds:
    rss_mib_per_min: float = 4.0
    """Per process, after the warm-up: allocator noise and bounded caches stay well under this."""
    fds: int = 2
    """Per process, more open fds at the end than at the warm-up's end (one connection in flight)."""
    threads: int = 1
    """Per process, more threads at the end than at the warm-up's end."""
    state_bytes_per_request: float = 600.0
    """Growth of the state dir per request: log lines only, no per-request files."""


BOUNDS = Bounds()


@dataclass
class ProcSample:
    rss_kib: int
    fds: int
    threads: int


@dataclass
class Sample:
    at: float
    procs: dict[str, ProcSample]
    state_bytes: int
    state_files: int


@dataclass
class Growth:
    name: str
    rss_mib: tuple[float, float]
    rss_mib_per_min: float
    fds: tuple[int, int]
    threads: tuple[int, int]


@dataclass
class SoakReport:
    minutes: float
    rate: float
    requests: int = 0
    errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    growth: list[Growth] = field(default_factory=list)
    state_bytes: tuple[int, int] = (0, 0)
    state_kib_per_min: float = 0.0
    violations: list[str] = field(default_factory=list)


def _status_fields(pid: int) -> tuple[int, int] | None:
    """(VmRSS in KiB, Threads) of a live process."""
    try:
        with open(f"/proc/{pid}/status", encoding="latin-1") as f:
            lines = dict(line.split(":", 1) for line in f if ":" in line)
        return int(lines["VmRSS"].split()[0]), int(lines["Threads"])
    except (OSError, KeyError, ValueError):
        return None


def sample(pids: list[int], state_dir: Path) -> Sample:
    """Every live process's figures, keyed by its label (a replica name, or `manager`)."""
    procs: dict[str, ProcSample] = {}
    for pid in pids:
        status = _status_fields(pid)
        try:
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            continue
        if status is not None:
            name = procstat.label(pid)
            procs[name if name not in procs else f"{name} ({pid})"] = ProcSample(status[0], fds, status[1])
    files = [p for p in state_dir.rglob("*") if p.is_file()] if state_dir.is_dir() else []
    return Sample(time.time(), procs, sum(_size(p) for p in files), len(files))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def slope_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute; 0 with fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return 60 * sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def analyse(report: SoakReport, warmup: int, bounds: Bounds) -> None:
    """Growth per process and of the state dir from the samples after `warmup` of them."""
    judged = report.samples[warmup:] or report.samples[-1:]
    first, last = judged[0], judged[-1]
    for name in sorted(last.procs):
        series = [(s.at, s.procs[name]) for s in judged if name in s.procs]
        a, b = series[0][1], series[-1][1]
        per_min = slope_per_min([(t, p.rss_kib / 1024) for t, p in series])
        g = Growth(name, (a.rss_kib / 1024, b.rss_kib / 1024), per_min, (a.fds, b.fds), (a.threads, b.threads))
        report.growth.append(g)
        if per_min > bounds.rss_mib_per_min:
            report.violations.append(f"{name}: RSS grows {per_min:.2f} MiB/min > {bounds.rss_mib_per_min}")
        if b.fds - a.fds > bounds.fds:
            report.violations.append(f"{name}: open fds {a.fds} -> {b.fds} (bound +{bounds.fds})")
        if b.threads - a.threads > bounds.threads:
            report.violations.append(f"{name}: threads {a.threads} -> {b.threads} (bound +{bounds.threads})")
    report.state_bytes = (first.state_bytes, last.state_bytes)
    report.state_kib_per_min = slope_per_min([(s.at, s.state_bytes / 1024) for s in judged])
    per_request = (last.state_bytes - report.samples[0].state_bytes) / max(1, report.requests)
    if per_request > bounds.state_bytes_per_request:
        report.violations.append(f"state dir grows {per_request:.0f} B/request > {bounds.state_bytes_per_request:g}")
    if report.errors:
        report.violations.append(f"{report.errors} failed requests")


def run(minutes: float, rate: float, every: float, warmup: int, bounds: Bounds, say: bool = True) -> SoakReport:
    """Start the split shop, load it for `minutes`, sample every `every` s, stop it."""
    report = SoakReport(minutes, rate)
    variant = SplitVariant()
    variant.start(120.0)
    try:
        state_dir = Path(variant.tmp) / "state"
        result: dict[str, object] = {}

        def load() -> None:
            result["report"] = run_loadgen(variant.url, rate, minutes * 60, seed=1, drain=10.0)

        loader = threading.Thread(target=load, name="soak-load")
        loader.start()
        deadline = time.monotonic() + minutes * 60 + 60
        while loader.is_alive() and time.monotonic() < deadline:
            app, ctl = variant.processes()
            report.samples.append(sample([*ctl, *app], state_dir))
            if say:
                s = report.samples[-1]
                rss = sum(p.rss_kib for p in s.procs.values()) / 1024
                stamp = time.strftime("%H:%M:%S")
                print(f"{stamp} {len(s.procs)} processes, {rss:.0f} MiB RSS, state dir {s.state_bytes} B", flush=True)
            loader.join(timeout=every)
        app, ctl = variant.processes()
        report.samples.append(sample([*ctl, *app], state_dir))
        loader.join(timeout=30)
    finally:
        variant.stop()
    lg = result.get("report")
    if lg is not None:
        report.requests = lg.requests  # type: ignore[attr-defined]
        report.errors = max(sum(lg.errors.values()), lg.tasks_failed) + lg.dropped  # type: ignore[attr-defined]
        report.p50_ms, report.p99_ms = lg.p50_ms, lg.p99_ms  # type: ignore[attr-defined]
    else:
        report.violations.append("the load generator did not finish")
    analyse(report, warmup, bounds)
    return report


def markdown(r: SoakReport) -> str:
    lines = [
        f"Soak: split shop, {r.rate:g} tasks/s for {r.minutes:g} min: {r.requests} requests, {r.errors} failed, "
        f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms; {len(r.samples)} samples",
        "",
        "| process | RSS MiB (after warm-up -> end) | RSS growth MiB/min | fds | threads |",
        "|---|---|---|---|---|",
    ]
    for g in r.growth:
        lines.append(
            f"| {g.name} | {g.rss_mib[0]:.1f} -> {g.rss_mib[1]:.1f} | {g.rss_mib_per_min:+.2f} | "
            f"{g.fds[0]} -> {g.fds[1]} | {g.threads[0]} -> {g.threads[1]} |"
        )
    lines += [
        "",
        f"state dir: {r.state_bytes[0]} -> {r.state_bytes[1]} bytes ({r.state_kib_per_min:+.1f} KiB/min)",
        "bounds: " + ("all kept" if not r.violations else "BROKEN: " + "; ".join(r.violations)),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="tasks/s offered (default 20)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="samples not judged for growth (default 2)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a bound is broken")
    parser.add_argument("--json", type=Path, help="write the samples and results here")
    args = parser.parse_args()
    if args.minutes <= 0 or args.rate <= 0 or args.every <= 0 or args.warmup < 0:
        parser.error("--minutes, --rate and --every must be > 0, --warmup >= 0")
    report = run(args.minutes, args.rate, args.every, args.warmup, BOUNDS)
    print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(report), indent=1))
    sys.exit(1 if args.check and report.violations else 0)


if __name__ == "__main__":
    main()
