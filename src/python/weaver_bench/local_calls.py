"""Co-located call overhead: `await ref.method()` vs `await obj.method()` in the same run.

    python -m weaver_bench.local_calls [--calls N]

Also shows the in-process `rpc` test mode (codec on every call) for scale. Prints ns per call
(wall) and CPU ns per call, best of several rounds, interleaved so drift affects all alike.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import weaver.testing
from weaver_bench.echo.echo import Echo, EchoImpl


async def _loop(obj: Any, n: int) -> tuple[float, float]:
    """`await obj.echo(i)` n times, looking the method up each time as app code does."""
    wall, cpu = time.perf_counter_ns(), time.process_time_ns()
    for i in range(n):
        await obj.echo(i)
    return (time.perf_counter_ns() - wall) / n, (time.process_time_ns() - cpu) / n


async def measure(n: int, rounds: int) -> dict[str, tuple[float, float]]:
    weaver.testing.ensure_generated("weaver_bench.echo")
    raw = EchoImpl()
    async with (
        weaver.testing.start("weaver_bench.echo", mode="local") as local,
        weaver.testing.start("weaver_bench.echo", mode="rpc") as rpc,
    ):
        ref = local.get(Echo)
        remote = rpc.get(Echo)
        cases: dict[str, tuple[Any, int]] = {
            "raw await obj.echo(i)": (raw, n),
            "weaver Ref (co-located)": (ref, n),
            "weaver rpc test mode (codec, x2 retriable)": (remote, max(n // 10, 1)),
        }
        best: dict[str, tuple[float, float]] = {k: (float("inf"), float("inf")) for k in cases}
        for _ in range(rounds):
            for name, (call, count) in cases.items():
                wall, cpu = await _loop(call, count)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    best = asyncio.run(measure(args.calls, args.rounds))
    raw_wall, raw_cpu = best["raw await obj.echo(i)"]
    print(f"co-located call overhead ({args.calls:,} calls, best of {args.rounds})")
    print(f"{'case':45} {'ns/call':>9} {'cpu ns/call':>12} {'vs raw':>7}")
    for name, (wall, cpu) in best.items():
        print(f"{name:45} {wall:9.1f} {cpu:12.1f} {wall / raw_wall:6.2f}x")
    ratio = best["weaver Ref (co-located)"][0] / raw_wall
    print(f"target: co-located < 2x raw -> {'OK' if ratio < 2 else 'MISSED'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
