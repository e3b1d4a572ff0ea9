"""Benchmark: the proxy's throughput, added latency and CPU per request.

    python -m weaver.proxy.bench [--quick]

Starts a small backend (fakebackend, "ok" responses) and the proxy (`python -m weaver.proxy`)
as processes, then drives them with the load generator (loadgen, a third process):
1. closed loop, directly to the backend and through the proxy: saturation rates;
2. open loop (Poisson) at a light load, a quarter and half of the proxy's saturation rate,
   directly and through the proxy, alternating: p50/p99, the added p50, and the proxy's CPU
   per request from /proc/<pid>/stat. The machine is shared, so compare figures of one run
   only. A measurement where the load generator fell behind is marked NOT VALID.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


Result = dict[str, float]


def _busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / _TICK  # minus idle and iowait


def _children_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _load(address: str, mode: str, conns: int, seconds: float, rate: float = 0) -> Result:
    cmd = [sys.executable, "-m", "weaver.proxy.loadgen", address, mode, str(conns), str(seconds), str(rate)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds * 2 + 30)
    result: Result = json.loads(out.stdout)
    return result


async def _backend() -> None:
    from weaver.proxy.fakebackend import FakeBackend

    b = FakeBackend("bench")
    print("listening on", await b.start(), flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m weaver.proxy.bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short runs (about 30 s instead of 75 s)")
    p.add_argument("--conns", type=int, default=32, help="client connections, closed loop")
    p.add_argument("--open-conns", type=int, default=128, help="client connections, open loop")
    p.add_argument("--role", choices=["bench", "backend"], default="bench", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.role == "backend":
        import uvloop

        uvloop.install()
        asyncio.run(_backend())
        return
    load0 = _loadavg()
    busy0, children0 = _busy_seconds(), _children_seconds()
    secs, rounds = (2.0, 1) if args.quick else (4.0, 2)
    start = time.monotonic()
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

        def run(address: str, mode: str, rate: float = 0) -> Result:
            cpu0 = _cpu_seconds(proxy.pid)
            r = _load(address, mode, args.conns if mode == "closed" else args.open_conns, secs, rate)
            r["cpu_us"] = (_cpu_seconds(proxy.pid) - cpu0) / r["total"] * 1e6
            return r

        sat = {"direct": run(direct, "closed"), "proxied": run(proxied, "closed")}
        half = sat["proxied"]["rate"] / 2
        rates = {"light load": min(1000.0, half / 2), "quarter saturation": half / 2, "half saturation": half}
        opened: dict[str, dict[str, list[Result]]] = {k: {"direct": [], "proxied": []} for k in rates}
        for _ in range(rounds):  # alternate, so drifting background load hits both alike
            for title, rate in rates.items():
                for name, address in (("direct", direct), ("proxied", proxied)):
                    opened[title][name].append(run(address, "open", rate))
        ours = _cpu_seconds(proxy.pid) + _cpu_seconds(backend.pid) + _children_seconds() - children0
        others = (_busy_seconds() - busy0 - ours) / (time.monotonic() - start) / (os.cpu_count() or 1)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    print(f"cores: {os.cpu_count()}, load average before/after: {load0} / {_loadavg()}")
    print(f"other processes kept {max(0.0, others):.0%} of the machine busy during the run")
    print(f"{args.conns} (closed loop) and {args.open_conns} (open loop) keep-alive connections;")
    print("load generator, proxy and backend are separate processes")
    _report(sat, rates, opened)


def _med(runs: list[Result], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _report(sat: dict[str, Result], rates: dict[str, float], opened: dict[str, dict[str, list[Result]]]) -> None:
    print("saturation (closed loop):")
    for name, r in sat.items():
        print(f"  {name:7} {r['rate']:7.0f} req/s   p50 {r['p50_us']:6.0f} us   p99 {r['p99_us']:6.0f} us")
    cpu = sat["proxied"]["cpu_us"]
    print(f"  proxied/direct {sat['proxied']['rate'] / sat['direct']['rate']:.2f}   proxy CPU {cpu:.0f} us/request")
    for title, rate in rates.items():
        runs = opened[title]
        print(f"open loop (Poisson) at {rate:.0f} req/s, {title}; median of {len(runs['direct'])} round(s):")
        valid = True
        for name, rs in runs.items():
            late = sum(r["queued"] for r in rs) / max(1, sum(r["n"] for r in rs))
            valid = valid and late < 0.01
            line = f"  {name:7} p50 {_med(rs, 'p50_us'):6.0f} us   p99 {_med(rs, 'p99_us'):6.0f} us"
            print(line + f"   ({late:.1%} of arrivals found no idle connection)")
        added = _med(runs["proxied"], "p50_us") - _med(runs["direct"], "p50_us")
        added99 = _med(runs["proxied"], "p99_us") - _med(runs["direct"], "p99_us")
        target = "meets" if added < 150 else "misses"
        print(f"  added by the proxy: p50 {added:.0f} us ({target} the 150 us target), p99 {added99:.0f} us")
        print(f"  proxy CPU {_med(runs['proxied'], 'cpu_us'):.0f} us/request")
        if not valid:
            print("  NOT VALID: the load generator fell behind (>1% of arrivals waited for a connection)")


if __name__ == "__main__":
    main()
