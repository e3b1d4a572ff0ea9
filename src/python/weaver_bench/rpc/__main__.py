"""Run the RPC benchmark and print a table with ratios (see the package docstring).

    python -m weaver_bench.rpc [--quick] [--duration S] [--rounds N] [--stacks a,b|all] [--no-pinned]

Conditions: "idle" (processes free to use both vCPUs) and "pinned" (both on CPU 0: the pure
CPU cost without cross-core wake-ups). Stacks run interleaved for several rounds and each
figure is the median over rounds, so a burst of load from other tenants skews one sample,
not a whole column. Figures are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from weaver_bench.rpc.child import STACKS

DEFAULT_STACKS = ("raw", "weaver", "weaver-rs", "grpc")

Row = dict[str, Any]


def run_stack(stack: str, duration: float, cpu: int | None) -> list[Row]:
    child = [sys.executable, "-m", "weaver_bench.rpc.child"]
    pin = [] if cpu is None else [str(cpu)]
    server = subprocess.Popen([*child, "serve", stack, *pin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        address = server.stdout.readline().strip()
        if not address:
            raise RuntimeError(f"{stack} server did not start")
        out = subprocess.run(
            [*child, "client", stack, address, str(server.pid), str(duration), *pin],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if out.returncode != 0:
            raise RuntimeError(f"{stack} client failed:\n{out.stderr}")
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def median_rows(samples: list[Row]) -> list[Row]:
    """One row per (stack, in flight): the round with the median rate, for consistent figures."""
    groups: dict[tuple[str, int], list[Row]] = {}
    for r in samples:
        groups.setdefault((r["stack"], r["inflight"]), []).append(r)
    rows = []
    for group in groups.values():
        group.sort(key=lambda r: r["calls"] / r["wall"])
        rows.append(group[len(group) // 2])
    return rows


def table(rows: list[Row], condition: str) -> str:
    by = {(r["stack"], r["inflight"]): r for r in rows}
    lines = [
        f"\n## {condition}",
        f"{'stack':<14} {'in flight':>9} {'calls/s':>9} {'p50 us':>8} {'p99 us':>8} "
        f"{'CPU us/call':>11} {'x raw':>6} {'x grpc':>7} {'CPU/raw':>7}",
    ]
    for r in rows:
        rate = r["calls"] / r["wall"]
        cpu = (r["cpu_client"] + r["cpu_server"]) / r["calls"] * 1e6
        ratios = []
        for base in ("raw", "grpc"):
            b = by.get((base, r["inflight"]))
            ratios.append(f"{rate / (b['calls'] / b['wall']):.2f}" if b else "-")
        b = by.get(("raw", r["inflight"]))
        ratios.append(f"{cpu / ((b['cpu_client'] + b['cpu_server']) / b['calls'] * 1e6):.2f}" if b else "-")
        lines.append(
            f"{r['stack']:<14} {r['inflight']:>9} {rate:>9,.0f} {r['p50_us']:>8.1f} {r['p99_us']:>8.1f} "
            f"{cpu:>11.1f} {ratios[0]:>6} {ratios[1]:>7} {ratios[2]:>7}"
        )
    return "\n".join(lines)


def metrics_overhead(samples: list[Row]) -> list[str]:
    """CPU per call of `weaver-stub` (metrics on) vs `weaver-stub-off`: medians over the rounds."""
    lines = []
    for n in sorted({r["inflight"] for r in samples}):
        per = {}
        for stack in ("weaver-stub", "weaver-stub-off"):
            rounds = sorted(
                (r["cpu_client"] + r["cpu_server"]) / r["calls"] * 1e6
                for r in samples
                if r["stack"] == stack and r["inflight"] == n
            )
            if rounds:
                per[stack] = rounds[len(rounds) // 2]
        if len(per) == 2:
            on, off = per["weaver-stub"], per["weaver-stub-off"]
            lines.append(
                f"metrics on vs off, {n} in flight: median CPU/call {on:.2f} vs {off:.2f} us ({on / off - 1:+.1%})"
            )
    return lines


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m weaver_bench.rpc", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="short phases, idle condition only")
    p.add_argument("--duration", type=float, default=None, help="seconds per measured phase")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (median reported)")
    p.add_argument("--stacks", default=",".join(DEFAULT_STACKS), help=f"'all' or a subset of {','.join(STACKS)}")
    p.add_argument("--no-pinned", action="store_true", help="skip the both-on-one-core condition")
    args = p.parse_args()
    duration = args.duration or (0.5 if args.quick else 1.0)
    rounds = args.rounds or (1 if args.quick else 3)
    stacks = list(STACKS) if args.stacks == "all" else [s for s in args.stacks.split(",") if s]
    conditions: list[tuple[str, int | None]] = [("idle (2 vCPUs, one process each)", None)]
    if not (args.quick or args.no_pinned):
        conditions.append(("pinned (both processes on CPU 0)", 0))
    started = time.monotonic()
    print(f"weaver.rpc benchmark: {duration:g}s per phase, median of {rounds} round(s), one connection")
    for name, cpu in conditions:
        samples: list[Row] = []
        for _ in range(rounds):
            for stack in stacks:
                samples.extend(run_stack(stack, duration, cpu))
        print(table(median_rows(samples), name), flush=True)
        print("\n".join(metrics_overhead(samples)), flush=True)
    print(
        f"\n(total {time.monotonic() - started:.0f}s. x raw, x grpc: calls/s relative to that stack;"
        " CPU/raw: CPU per call relative to raw; all from this run)"
    )


if __name__ == "__main__":
    main()
