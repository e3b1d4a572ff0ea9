"""Online Boutique: gRPC baseline vs weaver split vs weaver colocated, at the same offered rates.

    python -m apps.boutique_bench [--quick] [--rates 20,40,60] [--duration 20] [--out dist/boutique-bench]
        [--redis HOST:PORT | --no-redis]

Starts each variant in turn, waits for health, warms up, offers each rate (open loop, the
Locust task mix of `apps.boutique.loadgen`), and reports achieved req/s, p50/p99 latency,
errors and CPU-seconds per request summed over every process of the app, with ratios to the
gRPC baseline. Writes results.md, results.json and results.png under --out.

Every variant keeps its carts in one Redis, as the original shop does: by default a private
`redis-server` (Debian's package) started for the run on the app's CPUs; `--redis` names one
that runs already, `--no-redis` keeps carts in each variant's memory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import shlex
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from apps.boutique_bench import configs, pinning, report, wrkload
from apps.boutique_bench.bench import Settings, VariantResult, run_all
from apps.boutique_bench.profiled import ENV
from apps.boutique_bench.redisserver import redis_server

DEFAULT_RATES = "20,40,60"
QUICK_RATE = 10.0
ALL_VARIANTS = ("grpc", "http", "split", "colocated")
OPTIONAL_VARIANTS = ("ray",)
"""Run only when named in --variants (Ray Serve starts in about a minute on these machines)."""
KNOWN_VARIANTS = (*ALL_VARIANTS, *OPTIONAL_VARIANTS)


def split_unavailable() -> str:
    """Why the split variant cannot run here ('' if it can)."""
    try:
        from weaver.deployers.multi import deployment  # noqa: F401
        from weaver.runtime import launch  # noqa: F401
    except ImportError as e:
        return f"the multiprocess deployer is not importable yet ({e})"
    return ""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m apps.boutique_bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="smoke run: one low rate, short windows, no probe")
    p.add_argument("--rates", default=None, help=f"offered Locust tasks/s, comma-separated (default {DEFAULT_RATES})")
    p.add_argument("--duration", type=float, default=None, help="seconds per measured window (default 20)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per variant (default 5)")
    p.add_argument("--variants", default=",".join(ALL_VARIANTS), help="subset of grpc,http,split,colocated, or ray too")
    p.add_argument("--no-probe", action="store_true", help="skip the max-sustainable-rate probe")
    knee = p.add_mutually_exclusive_group()
    knee.add_argument("--knee", action="store_true", help="find each variant's knee with wrk (default unless --quick)")
    knee.add_argument("--no-knee", action="store_true", help="do not run wrk")
    p.add_argument("--no-pin", action="store_true", help="do not pin the load generator and the app to CPUs")
    p.add_argument("--profile", metavar="DIR", help="run weaver processes under cProfile, stats into DIR")
    p.add_argument("--out", default="dist/boutique-bench", help="output directory")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--redis", metavar="HOST:PORT", help="keep carts in this Redis (default: start a private one)")
    where.add_argument("--no-redis", action="store_true", help="keep carts in each variant's memory")
    return p


def settings(args: argparse.Namespace) -> Settings:
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    bad = set(names) - set(KNOWN_VARIANTS)
    if bad:
        raise SystemExit(f"unknown variant(s) {sorted(bad)}; choose from {','.join(KNOWN_VARIANTS)}")
    rates = [float(r) for r in (args.rates or (str(QUICK_RATE) if args.quick else DEFAULT_RATES)).split(",")]
    if not rates or min(rates) <= 0:
        raise SystemExit("--rates must be positive numbers")
    q = args.quick
    return Settings(
        variants=names,
        rates=sorted(rates),
        duration=args.duration if args.duration is not None else (3.0 if q else 20.0),
        warmup=args.warmup if args.warmup is not None else (1.0 if q else 5.0),
        drain=5.0 if q else 10.0,
        probe=not (q or args.no_probe),
        start_timeout=60.0 if q else 120.0,
        idle=1.0 if q else 3.0,
        knee=args.knee or not (q or args.no_knee),
        knee_step=2.0 if q else 5.0,
        knee_max_connections=4 if q else 256,
    )


def say(line: str) -> None:
    print(line, flush=True)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through every variant's `finally: stop()`


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    s = settings(args)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if args.profile:
        os.environ[ENV] = os.path.abspath(args.profile)
    skipped: list[VariantResult] = []
    if s.knee and (why := wrkload.unavailable()):
        raise SystemExit(f"--knee: {why}; or pass --no-knee")
    if "split" in s.variants and (why := split_unavailable()):
        say(f"weaver split: skipped: {why}")
        s.variants.remove("split")
        skipped.append(VariantResult("split", "weaver split (11 processes)", skipped=f"skipped: {why}"))
    if {"split", "colocated"} & set(s.variants):
        from weaver.testing import ensure_generated

        ensure_generated("apps.boutique")
        __import__("apps.boutique.weaver_gen")
    place = pinning.choose(not args.no_pin)
    pinning.to_loadgen(place)
    say(f"{place.describe()}")
    started = time.time()
    load0 = os.getloadavg()
    try:
        with contextlib.ExitStack() as stack:
            s.redis = None if args.no_redis else args.redis or _private_redis(stack, place)
            say(f"carts: {'in Redis at ' + s.redis if s.redis else 'in each variant memory'}")
            results = run_all(s, place, say)
    except KeyboardInterrupt:
        say("interrupted: every process the bench started has been stopped")
        return 130
    results += skipped
    results.sort(key=lambda r: KNOWN_VARIANTS.index(r.name))
    meta = _meta(argv, s, place, started, load0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = report.markdown(results, _header(meta))
    (out / "results.md").write_text(md)
    (out / "results.json").write_text(report.to_json(results, meta))
    report.plot(results, out / "results.png")
    say("")
    say(md)
    say(f"wrote {out / 'results.md'}, {out / 'results.json'}, {out / 'results.png'}")
    if args.profile:
        say(f"profiles in {args.profile}: python -m apps.boutique_bench.profiled --summary {args.profile}")
    return 0 if all(not r.skipped.startswith("failed") for r in results) else 1


def _private_redis(stack: contextlib.ExitStack, place: pinning.Placement) -> str:
    """Start a redis-server for the run (stopped with `stack`), on the app's CPUs."""
    try:
        server = stack.enter_context(redis_server())
    except FileNotFoundError as e:
        raise SystemExit(f"{e}; or pass --redis HOST:PORT, or --no-redis (carts in memory)") from None
    pinning.pin_app(place, [server.process.pid])
    return server.address


def _meta(
    argv: list[str] | None, s: Settings, place: pinning.Placement, started: float, load0: tuple[float, float, float]
) -> dict[str, Any]:
    cmd = "python -m apps.boutique_bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    return {
        "command": cmd.strip(),
        "started": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
        "elapsed_s": round(time.time() - started, 1),
        "host": f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "loadavg_before": load0,
        "loadavg_after": os.getloadavg(),
        "pinning": place.describe(),
        "configs": {"split": configs.source("split.toml"), "colocated": configs.source("colocated.toml")},
        "settings": {
            "rates": s.rates,
            "duration_s": s.duration,
            "warmup_s": s.warmup,
            "probe": s.probe,
            "knee": s.knee,
            "knee_step_s": s.knee_step,
        },
        "carts": f"Redis at {s.redis} (not counted in any variant's CPU)" if s.redis else "in memory",
    }


def _header(meta: dict[str, Any]) -> list[str]:
    la0 = ", ".join(f"{x:.2f}" for x in meta["loadavg_before"])
    la1 = ", ".join(f"{x:.2f}" for x in meta["loadavg_after"])
    st = meta["settings"]
    return [
        f"Command: `{meta['command']}` (started {meta['started']}, took {meta['elapsed_s']:.0f} s)",
        f"Host: {meta['host']}; load average before {la0}, after {la1} (a shared machine: figures are noisy).",
        f"Placement: {meta['pinning']}.",
        f"Configs: split {meta['configs']['split']}, colocated {meta['configs']['colocated']}; "
        f"carts {meta['carts']}.",
        f"Method: open loop, uniform arrivals, Locust task mix; each rate offered for {st['duration_s']:g} s after "
        f"a {st['warmup_s']:g} s warm-up. A task is 1-3 Locust requests (redirects followed), about 1.2 on "
        "average; latency is per request, from the task's scheduled start for its first request to the moment "
        "the response is read, with the generator's own work kept out (a task prepares its first request "
        "1 ms ahead and sends it at its start; the client polls its own core while requests are in flight; "
        "responses are timed before the client's cookie and redirect handling). CPU/req = "
        "utime+stime (from /proc/<pid>/stat) of every process of the app over the window / requests "
        "completed; 'incl. control plane' adds the deployer's manager (which also runs the listener's "
        "balancing proxy). Ratios = gRPC's figure / the variant's (higher is better).",
    ]


if __name__ == "__main__":
    sys.exit(main())
