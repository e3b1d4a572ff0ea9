"""Benchmark: the proxy's throughput, added latency and CPU per request.

    ./pants run src/python/weaver_bench/proxy/bench.py [-- --quick]
    cd src/python && python -m weaver_bench.proxy.bench [--quick]

Starts the proxy (`python -m weaver.proxy`) and the load generator, which is also the backend
(`weaver_bench.proxy.loadgen`, a busy-polling process), pinned to different cores when there are two:
the proxy has a core of its own, so its saturation rate is its own and not the machine's.
1. closed loop, directly to the backend and through the proxy: saturation rates;
2. open loop (Poisson) at a light load, a quarter and half of the proxy's saturation rate,
   directly and through the proxy, alternating: p50/p99, the added p50, and the proxy's CPU
   per request (from /proc/<pid>/schedstat) and how busy its core was. The machine is shared,
   so compare figures of one run only. A measurement where arrivals found no idle connection
   (the rate could not be offered honestly) is marked NOT VALID.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

Result = dict[str, float]


def _spawn(args: list[str], cpu: int | None) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if cpu is not None:
        os.sched_setaffinity(proc.pid, {cpu})
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"{args}: {line!r}")
    return proc, line.split()[-1]


def _cpu_seconds(pid: int) -> float:
    """CPU time of the process's threads, from schedstat (nanoseconds, unlike /proc/stat)."""
    return sum(int(t.read_text().split()[0]) for t in Path(f"/proc/{pid}/task").glob("*/schedstat")) / 1e9


def _busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(prog="python -m weaver_bench.proxy.bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short runs (about 30 s instead of 75 s)")
    p.add_argument("--conns", type=int, default=32, help="client connections, closed loop")
    p.add_argument("--open-conns", type=int, default=64, help="client connections, open loop")
    args = p.parse_args()
    load0 = _loadavg()
    secs, rounds = (2.0, 1) if args.quick else (4.0, 2)
    cpus = sorted(os.sched_getaffinity(0))
    gen_cpu, proxy_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    gen, direct = _spawn(["-m", "weaver_bench.proxy.loadgen"], gen_cpu)
    procs = [gen]
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json") as table:
            json.dump({"versions": {"bench": {"weight": 1, "backends": [direct]}}}, table)
            table.flush()
            proxy, proxied = _spawn(
                ["-m", "weaver.proxy", "--listen", "127.0.0.1:0", "--admin", "", "--table", table.name], proxy_cpu
            )
        procs.append(proxy)

        def run(address: str, mode: str, rate: float = 0) -> Result:
            assert gen.stdin is not None and gen.stdout is not None
            conns = args.conns if mode == "closed" else args.open_conns
            cpu0, wall0 = _cpu_seconds(proxy.pid), time.monotonic()
            gen.stdin.write(f"{address} {mode} {conns} {secs} {rate}\n")
            gen.stdin.flush()
            r: Result = json.loads(gen.stdout.readline())
            cpu = _cpu_seconds(proxy.pid) - cpu0
            r["cpu_us"] = cpu / max(1, r["total"]) * 1e6
            r["proxy_busy"] = cpu / (time.monotonic() - wall0)
            return r

        busy0, start = _busy_seconds(), time.monotonic()
        sat = {"direct": run(direct, "closed"), "proxied": run(proxied, "closed")}
        half = sat["proxied"]["rate"] / 2
        rates = {"light load": min(1000.0, half / 2), "quarter saturation": half / 2, "half saturation": half}
        opened: dict[str, dict[str, list[Result]]] = {k: {"direct": [], "proxied": []} for k in rates}
        for _ in range(rounds):  # alternate, so drifting background load hits both alike
            for title, rate in rates.items():
                for name, address in (("direct", direct), ("proxied", proxied)):
                    opened[title][name].append(run(address, "open", rate))
        elapsed = time.monotonic() - start
        # The generator spins on its core; the proxy's use is measured; the rest is somebody else.
        ours = elapsed * (1 if gen_cpu is not None else 0) + _cpu_seconds(proxy.pid)
        others = (_busy_seconds() - busy0 - ours) / elapsed / (os.cpu_count() or 1)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    print(f"cores: {os.cpu_count()}, load average before/after: {load0} / {_loadavg()}")
    print(f"other processes kept {max(0.0, others):.0%} of the machine busy during the run")
    where = f"the proxy on CPU {proxy_cpu}, the generator on CPU {gen_cpu}" if gen_cpu is not None else "unpinned"
    print(f"{args.conns} (closed loop) and {args.open_conns} (open loop) keep-alive connections; {where}")
    print("the generator is also the backend and busy-polls its core (see weaver_bench.proxy.loadgen)")
    _report(sat, rates, opened)


def _med(runs: list[Result], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _report(sat: dict[str, Result], rates: dict[str, float], opened: dict[str, dict[str, list[Result]]]) -> None:
    print("saturation (closed loop):")
    for name, r in sat.items():
        print(f"  {name:7} {r['rate']:7.0f} req/s   p50 {r['p50_us']:6.0f} us   p99 {r['p99_us']:6.0f} us")
    cpu = sat["proxied"]["cpu_us"]
    ratio = sat["proxied"]["rate"] / sat["direct"]["rate"]
    busy = sat["proxied"]["proxy_busy"]
    print(f"  proxied/direct {ratio:.2f}   proxy CPU {cpu:.0f} us/request, its core {busy:.0%} busy")
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
        busy = _med(runs["proxied"], "proxy_busy")
        print(f"  proxy CPU {_med(runs['proxied'], 'cpu_us'):.0f} us/request, its core {busy:.0%} busy")
        if not valid:
            print("  NOT VALID: the load generator fell behind (>1% of arrivals waited for a connection)")


if __name__ == "__main__":
    main()
