"""Benchmark: the proxy's throughput, added latency and CPU per request.

    python -m weaver.proxy.bench [--quick]

Starts a small backend (fakebackend, "ok" responses) and the proxy (`python -m weaver.proxy`)
as processes, then drives them with the load generator (loadgen, a third process):
1. closed loop, directly to the backend and through the proxy: saturation rates;
2. open loop (Poisson) at half the proxy's saturation rate, directly and through the proxy,
   alternating rounds: p50/p99, the added p50, and the proxy's CPU per request from
   /proc/<pid>/stat. The machine is shared, so compare figures of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _spawn(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"{args}: {line!r}")
    return proc, line.split()[-1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _load(address: str, mode: str, conns: int, seconds: float, rate: float = 0) -> dict[str, float]:
    cmd = [sys.executable, "-m", "weaver.proxy.loadgen", address, mode, str(conns), str(seconds), str(rate)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds * 2 + 30)
    result: dict[str, float] = json.loads(out.stdout)
    return result


async def _backend() -> None:
    from weaver.proxy.fakebackend import FakeBackend

    b = FakeBackend("bench")
    print("listening on", await b.start(), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m weaver.proxy.bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short runs (about 30 s in all)")
    p.add_argument("--conns", type=int, default=32, help="client connections")
    p.add_argument("--role", choices=["bench", "backend"], default="bench", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.role == "backend":
        import uvloop

        uvloop.install()
        asyncio.run(_backend())
        return
    load0 = _loadavg()
    sat_s, lat_s, rounds = (3.0, 3.0, 1) if args.quick else (6.0, 6.0, 3)
    backend, direct = _spawn(["-m", "weaver.proxy.bench", "--role", "backend"])
    procs = [backend]
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json") as table:
            json.dump({"versions": {"bench": {"weight": 1, "backends": [direct]}}}, table)
            table.flush()
            proxy, proxied = _spawn(
                ["-m", "weaver.proxy", "--listen", "127.0.0.1:0", "--admin", "", "--table", table.name]
            )
        procs.append(proxy)
        sat_direct = _load(direct, "closed", args.conns, sat_s)
        cpu0 = _cpu_seconds(proxy.pid)
        sat_proxy = _load(proxied, "closed", args.conns, sat_s)
        cpu_sat = (_cpu_seconds(proxy.pid) - cpu0) / (sat_proxy["rate"] * sat_s * 1.2)
        rate = sat_proxy["rate"] / 2
        d_runs, p_runs, cpu = [], [], []
        for _ in range(rounds):
            d_runs.append(_load(direct, "open", args.conns, lat_s, rate))
            cpu0 = _cpu_seconds(proxy.pid)
            p_runs.append(_load(proxied, "open", args.conns, lat_s, rate))
            cpu.append((_cpu_seconds(proxy.pid) - cpu0) / (rate * lat_s * 1.2))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"cores: {os.cpu_count()}, load average before/after: {load0} / {_loadavg()}")
    print(f"{args.conns} keep-alive connections; load generator, proxy and backend are separate processes")
    print("saturation (closed loop):")
    for name, r in (("direct", sat_direct), ("proxied", sat_proxy)):
        print(f"  {name:7} {r['rate']:7.0f} req/s   p50 {r['p50_us']:6.0f} us   p99 {r['p99_us']:6.0f} us")
    ratio = sat_proxy["rate"] / sat_direct["rate"]
    print(f"  proxied/direct {ratio:.2f}   proxy CPU {cpu_sat * 1e6:.0f} us/request")
    print(f"open loop (Poisson) at {rate:.0f} req/s = half the proxied saturation, median of {rounds} round(s):")
    for name, runs in (("direct", d_runs), ("proxied", p_runs)):
        queued = sum(r["queued"] for r in runs)
        p50, p99 = med(runs, "p50_us"), med(runs, "p99_us")
        print(f"  {name:7} p50 {p50:6.0f} us   p99 {p99:6.0f} us   (arrivals finding no idle connection: {queued})")
    added = med(p_runs, "p50_us") - med(d_runs, "p50_us")
    added99 = med(p_runs, "p99_us") - med(d_runs, "p99_us")
    verdict = "meets" if added < 150 else "misses"
    print(f"  added by the proxy: p50 {added:.0f} us ({verdict} the 150 us target), p99 {added99:.0f} us")
    print(f"  proxy CPU {statistics.median(cpu) * 1e6:.0f} us/request")


if __name__ == "__main__":
    main()
