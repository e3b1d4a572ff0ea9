"""What automatic call metrics add per call, in process: metered vs plain generated code.

    python -m weaver_bench.call_metrics [--calls N] [--rounds R]

Runs `weaver_bench.echo`'s generated server handler and client stub (over a transport that
answers at once, so only the stub's own work is timed), each in its plain and its metered form,
interleaved, best of R rounds. Far less noisy than two processes on shared cores; compare the
added ns with the CPU per call of `python -m weaver_bench.rpc --stacks weaver-stub-off`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import weaver.testing
from weaver_bench.echo.echo import EchoImpl

weaver.testing.ensure_generated("weaver_bench.echo")
gen: Any = importlib.import_module("weaver_bench.echo.weaver_gen")  # generated code is untyped


class _Answered:
    """A Caller whose reply is ready at once (the encoded int 7)."""

    async def call(self, key: int, payload: bytes, retriable: bool, shard: int | None) -> bytes:
        return b"\x07"


async def _loop(call: Callable[[], Awaitable[Any]], n: int) -> float:
    t = time.process_time_ns()
    for _ in range(n):
        await call()
    return (time.process_time_ns() - t) / n


async def measure(n: int, rounds: int) -> dict[str, float]:
    impl = EchoImpl()
    (key,) = gen._Echo_handlers_plain(impl)
    plain_h, metered_h = gen._Echo_handlers_plain(impl)[key], gen._Echo_handlers_metered(impl)[key]
    plain_c, metered_c = gen._Echo_client(_Answered()), gen._Echo_client_metered(_Answered(), "bench")
    payload = gen._encode(gen._Echo_echo_args(7))
    cases: dict[str, Callable[[], Awaitable[Any]]] = {
        "server handler, plain": lambda: plain_h(payload),
        "server handler, metered": lambda: metered_h(payload),
        "client stub, plain": lambda: plain_c.echo(7),
        "client stub, metered": lambda: metered_c.echo(7),
    }
    best = {k: float("inf") for k in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            best[name] = min(best[name], await _loop(call, n))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    best = asyncio.run(measure(args.calls, args.rounds))
    print(f"call metrics per call ({args.calls:,} calls, best of {args.rounds}, CPU ns)")
    for name, ns in best.items():
        print(f"  {name:26} {ns:8.1f}")
    server = best["server handler, metered"] - best["server handler, plain"]
    client = best["client stub, metered"] - best["client stub, plain"]
    print(f"added: server {server:.0f} ns + client {client:.0f} ns = {server + client:.0f} ns per remote call")


if __name__ == "__main__":
    main()
