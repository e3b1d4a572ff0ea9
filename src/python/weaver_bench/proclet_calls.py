"""Calls in a multiprocess deployment: co-located (same group) and remote (proclet to proclet).

    python -m weaver_bench.proclet_calls [--calls N] [--seconds S] [--concurrency C]

Co-located: a proclet hosting hello's Greeter and Counter together (driven by a scripted
envelope in this process): `await greeter.counter.get(k)` (the local stub) vs a raw await of
the same implementation object, ns per call, best of rounds. Remote: the same proclet hosting
Greeter alone, its `counter` a client stub over a ReplicaSet to a Counter proclet that
`weaver multi` runs in a subprocess: p50/p99 latency of sequential calls, calls/s with C calls in
flight, and CPU per call (this process + the Counter process, from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import weaver.testing
from weaver.internal.loop import new_event_loop
from weaver.runtime import launch
from weaver.runtime import messages as m
from weaver.runtime.pipe import Pipe
from weaver.runtime.proclet import Proclet

GREETER = "apps.hello.greeter.Greeter"
COUNTER = "apps.hello.counter.Counter"


@asynccontextmanager
async def proclet(components: list[str], version: str) -> AsyncIterator[tuple[Proclet, Pipe[m.ToEnvelope]]]:
    """A Proclet in this process, registered and started by a scripted envelope."""
    ours, theirs = socket.socketpair()
    p = Proclet("apps.hello", theirs, "hello", version, "bench.0", standalone=False)
    task = asyncio.create_task(p.run())
    pipe: Pipe[m.ToEnvelope] = await Pipe.open(ours, m.ToEnvelope, "bench envelope")
    try:
        async with asyncio.timeout(30):
            assert isinstance(await pipe.recv(), m.RegisterReplica)
            pipe.send(m.ComponentsToHost("bench", components))
            while not isinstance(await pipe.recv(), m.ComponentsStarted):
                pass
        yield p, pipe
    finally:
        pipe.send(m.Stop(0.5))
        async with asyncio.timeout(10):
            await task
        pipe.close()


async def _loop(obj: Any, n: int) -> float:
    t = time.perf_counter_ns()
    for _ in range(n):
        await obj.get("k")
    return (time.perf_counter_ns() - t) / n


async def colocated(n: int, rounds: int) -> dict[str, float]:
    async with proclet([GREETER, COUNTER], os.environ.get("WEAVER_VERSION", "dev")) as (p, _):
        assert p.host is not None
        ref: Any = (await p.host.impl(GREETER)).counter  # type: ignore[attr-defined]
        raw = await p.host.impl(COUNTER)
        assert type(ref).__name__ != type(raw).__name__ and not hasattr(ref, "_caller")
        best = {"raw await impl.get(k)": float("inf"), "Ref in a multi group (local stub)": float("inf")}
        await _loop(raw, n)  # warm up
        for i in range(rounds):  # interleaved, alternating order, so drift affects both alike
            for name, obj in sorted(
                {"raw await impl.get(k)": raw, "Ref in a multi group (local stub)": ref}.items(), reverse=bool(i % 2)
            ):
                best[name] = min(best[name], await _loop(obj, n))
        return best


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def remote(n: int, seconds: float, concurrency: int) -> dict[str, float]:
    from weaver.deployers.multi.deployment import deploy

    with tempfile.TemporaryDirectory(prefix="weaver_bench_multi_") as tmp:
        version = os.environ.get("WEAVER_VERSION", "dev")
        spec = launch.from_source("apps.hello", version=version)
        manager = await deploy(spec, replicas=1, private_listeners=True, directory=Path(tmp))
        try:
            assert await manager.wait_healthy(60), manager.status()
            async with proclet([GREETER], manager.info.version) as (p, pipe):
                assert p.host is not None
                pipe.send(m.RoutingInfo(manager.routing()))
                await asyncio.sleep(0.1)
                stub: Any = (await p.host.impl(GREETER)).counter  # type: ignore[attr-defined]
                for _ in range(200):
                    await stub.get("k")  # connect, warm up
                lat = []
                for _ in range(n):
                    t = time.perf_counter_ns()
                    await stub.get("k")
                    lat.append(time.perf_counter_ns() - t)
                lat.sort()
                counter_pid = manager.replicas_of(COUNTER)[0].pid
                done = 0
                end = time.monotonic() + seconds

                async def worker() -> None:
                    nonlocal done
                    while time.monotonic() < end:
                        await stub.get("k")
                        done += 1

                cpu0, srv0, t0 = time.process_time(), _cpu_seconds(counter_pid), time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                cpu1, srv1, t1 = time.process_time(), _cpu_seconds(counter_pid), time.perf_counter()
                return {
                    "p50 us (sequential)": statistics.median(lat) / 1e3,
                    "p99 us (sequential)": lat[int(len(lat) * 0.99)] / 1e3,
                    f"calls/s ({concurrency} in flight)": done / (t1 - t0),
                    "CPU us/call, caller": (cpu1 - cpu0) / done * 1e6,
                    "CPU us/call, callee": (srv1 - srv0) / done * 1e6,
                }
        finally:
            await manager.stop(1.0)


async def run(args: argparse.Namespace) -> None:
    weaver.testing.ensure_generated("apps.hello")
    for name, ns in (await colocated(args.calls, args.rounds)).items():
        print(f"co-located  {name:<40} {ns:8.0f} ns/call")
    for name, value in (await remote(args.calls, args.seconds, args.concurrency)).items():
        print(f"remote      {name:<40} {value:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m weaver_bench.proclet_calls", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(run(args))


if __name__ == "__main__":
    main()
