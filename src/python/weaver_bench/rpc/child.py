"""The benchmark's server and client processes (started by `weaver_bench.rpc`).

    python -m weaver_bench.rpc.child serve STACK [CPU]
    python -m weaver_bench.rpc.child client STACK ADDRESS SERVER_PID DURATION [CPU]

The server prints its address and serves until its stdin closes. The client runs the
sequential and the 64-in-flight phase and prints one JSON line per phase with calls, wall
time, latency percentiles and the CPU time both processes spent in that phase.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable

from weaver_bench.rpc import grpc_stack, raw, stub_stack, weaver_stack, workload

Call = Callable[[bytes], Awaitable[bytes]]
HOST = "127.0.0.1"
STACKS = ("raw", "weaver", "weaver-direct", "weaver-unix", "weaver-rs", "weaver-stub", "weaver-stub-off", "grpc")
INFLIGHT = (1, 64)


def cpu_seconds(pid: int) -> float:
    """user+sys CPU time of a process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def serve(stack: str) -> None:
    if stack == "raw":
        address, server = await raw.serve(HOST)
    elif stack == "grpc":
        address, server = await grpc_stack.serve(HOST)
    elif stack.startswith("weaver-stub"):
        address, server = await stub_stack.serve(HOST, metrics=stack == "weaver-stub")
    else:
        address, server = await weaver_stack.serve(HOST, unix=stack == "weaver-unix")
    print(address, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    del server


async def connect(stack: str, address: str) -> Call:
    if stack == "raw":
        return (await raw.client(address)).call
    if stack == "grpc":
        return await grpc_stack.client(address)
    if stack.startswith("weaver-stub"):
        return await stub_stack.client(address, metrics=stack == "weaver-stub")
    if stack == "weaver-rs":
        return await weaver_stack.replica_set_client(address)
    return await weaver_stack.client(address, direct=stack == "weaver-direct")


async def phase(call: Call, inflight: int, duration: float) -> tuple[int, float, list[int]]:
    latencies: list[int] = []
    clock = time.perf_counter_ns
    end = clock() + int(duration * 1e9)
    payload = workload.REQUEST

    async def worker() -> None:
        record = latencies.append
        while True:
            t0 = clock()
            reply = await call(payload)
            t1 = clock()
            record(t1 - t0)
            if t1 > end:
                break
        workload.check(reply)

    start = clock()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    return len(latencies), (clock() - start) / 1e9, latencies


async def run_client(stack: str, address: str, server_pid: int, duration: float) -> None:
    call = await connect(stack, address)
    for inflight in INFLIGHT:
        await phase(call, inflight, min(0.3, duration / 2))  # warm up
        cpu0 = cpu_seconds(os.getpid()), cpu_seconds(server_pid)
        calls, wall, lat = await phase(call, inflight, duration)
        cpu1 = cpu_seconds(os.getpid()), cpu_seconds(server_pid)
        lat.sort()
        result = {
            "stack": stack,
            "inflight": inflight,
            "calls": calls,
            "wall": wall,
            "p50_us": lat[len(lat) // 2] / 1e3,
            "p99_us": lat[int(len(lat) * 0.99)] / 1e3,
            "cpu_client": cpu1[0] - cpu0[0],
            "cpu_server": cpu1[1] - cpu0[1],
        }
        print(json.dumps(result), flush=True)


def main(argv: list[str]) -> None:
    role, stack = argv[0], argv[1]
    cpu = argv[-1] if role == "serve" and len(argv) == 3 or role == "client" and len(argv) == 6 else None
    if cpu is not None:
        os.sched_setaffinity(0, {int(cpu)})
    if stack != "grpc":  # grpc.aio supports only the stock asyncio loop
        from weaver.internal import loop

        loop.install()
    if role == "serve":
        asyncio.run(serve(stack))
    else:
        asyncio.run(run_client(stack, argv[2], int(argv[3]), float(argv[4])))


if __name__ == "__main__":
    main(sys.argv[1:])
