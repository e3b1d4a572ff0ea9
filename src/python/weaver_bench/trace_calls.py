"""What tracing costs per call: Echo.echo through a Ref, tracing off, on but unsampled, on and sampled.

    python -m weaver_bench.trace_calls

Co-located (`local` test mode) and through the codec (`rpc`); best of 5 rounds, ns per call.
"""

from __future__ import annotations

import asyncio

import weaver.testing
from weaver_bench.echo.echo import Echo
from weaver_bench.local_calls import _loop

CASES = [
    ("off", ""),
    ("on, sample_ratio 0", "[weaver.tracing]\nenabled = true\nsample_ratio = 0.0\n"),
    ("on, every call sampled", "[weaver.tracing]\nenabled = true\nsample_ratio = 1.0\n"),
]


async def run() -> None:
    weaver.testing.ensure_generated("weaver_bench.echo")
    for label, config in CASES:
        for mode, n in (("local", 300_000), ("rpc", 30_000)):
            n = n // 10 if "sampled" in label else n
            async with weaver.testing.start("weaver_bench.echo", mode=mode, config=config) as app:
                ref = app.get(Echo)
                wall, cpu = min([await _loop(ref, n) for _ in range(5)])
            print(f"{mode:5} {label:24} wall {wall:8.0f} ns  cpu {cpu:8.0f} ns", flush=True)


if __name__ == "__main__":
    asyncio.run(run())
