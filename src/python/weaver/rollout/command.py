"""`weaver rollout deploy | status | resume | abort | stop`: the rollout controller's CLI.

    weaver rollout deploy --pex APP.pex --manifest APP.manifest.json [--duration 10m]
        [--steps 10,25,50,100] [--listen NAME=HOST:PORT] [--warmup-path [LISTENER=]/PATH]...
        [--warmup-rounds 3] [--warmup-requests 10] [--min-requests 30] [--confidence 0.99]
        [--error-floor 0.005] [--latency-floor 2ms] [--hold-timeout 5m]
        [--on-hold-timeout promote|rollback] [--drain-timeout 60s] [--drain-idle 2s]
        [--start-timeout 120s] [--stop-grace 5s]
    weaver rollout status [APP] [--json]     the saved state, the controller and the proxy
    weaver rollout resume APP                continue after a controller died
    weaver rollout abort APP                 all traffic back to the old version, stop the new
    weaver rollout stop APP [--grace 5s]     stop every version of APP and its proxy

Exit status: 0 done (or aborted as asked), 1 error, 2 bad usage, 3 rolled back, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from weaver.rollout import schedule
from weaver.rollout.begin import AlreadyLive, begin
from weaver.rollout.controller import Controller
from weaver.rollout.deployer import MultiDeployer
from weaver.rollout.display import Display
from weaver.rollout.lock import ControllerLock
from weaver.rollout.outcome import log_to, report
from weaver.rollout.package import keep_pex, load_package, parse_listen
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.proxyclient import ProxyFront
from weaver.rollout.report import print_status
from weaver.rollout.state import Gate, Plan, RolloutState, load, save
from weaver.rollout.warmup import parse_paths, targets


def add_subcommands(sub: Any) -> None:
    """Add `rollout` to the `weaver` command's subparsers."""
    p = sub.add_parser("rollout", help="roll out a new app version through the version-pinning proxy")
    rs = p.add_subparsers(dest="rollout_command", required=True)
    d = rs.add_parser("deploy", help="roll out a built PEX (what `pants run deploy:rollout` runs)")
    d.add_argument("--pex", required=True, type=Path, help="the app PEX (its sha256 is the version)")
    d.add_argument("--manifest", required=True, type=Path, help="the manifest JSON built with it")
    add_plan_arguments(d)
    d.add_argument("--listen", action="append", default=[], metavar="NAME=HOST:PORT", help="public address")
    s = rs.add_parser("status", help="show the rollout state of APP (or of every app)")
    s.add_argument("app", nargs="?")
    s.add_argument("--json", action="store_true", help="print the saved state as JSON")
    for name, text in (
        ("resume", "continue an interrupted rollout"),
        ("abort", "send all traffic back to the old version and stop the new one"),
        ("stop", "stop every version of APP and its proxy"),
    ):
        sp = rs.add_parser(name, help=text)
        sp.add_argument("app")
        if name == "stop":
            sp.add_argument("--grace", help="time calls in flight get (default: the rollout's --stop-grace)")
    x = rs.add_parser("_proxy", help="(internal) run APP's proxy process")
    x.add_argument("app")
    x.add_argument("--listen", action="append", default=[])


def add_plan_arguments(d: argparse.ArgumentParser) -> None:
    """The flags of a rollout's plan and health gate (also `weaver kube rollout`'s)."""
    d.add_argument("--duration", default="10m", help="time to shift all traffic (default 10m)")
    d.add_argument("--steps", default="10,25,50,100", help="new version's percentages (default 10,25,50,100)")
    g = d.add_argument_group("health gate (docs/rollout-gates.md)")
    g.add_argument("--warmup-path", action="append", default=[], metavar="[LISTENER=]/PATH",
                   help="GET this on the new version before it takes traffic; a 5xx rolls back (repeatable)")
    g.add_argument("--warmup-rounds", type=int, default=3, help="times each warm-up path is requested (3)")
    g.add_argument("--warmup-requests", type=int, default=10, help="first proxied requests not judged (10)")
    g.add_argument("--min-requests", type=int, default=30, help="judged samples per step before it may pass (30)")
    g.add_argument("--confidence", type=float, default=0.99, help="confidence of a 'worse' verdict (0.99)")
    g.add_argument("--error-floor", type=float, default=0.005, help="ignore error-ratio differences below (0.005)")
    g.add_argument("--latency-floor", default="2ms", help="ignore p50/p99 differences below this (2ms)")
    g.add_argument("--hold-timeout", default="5m", help="max hold past a step's end for min samples (5m)")
    g.add_argument("--on-hold-timeout", choices=["promote", "rollback"], default="promote",
                   help="what a step without enough samples does after the hold (promote)")
    d.add_argument("--drain-timeout", default="60s", help="max wait for pinned sessions of the old version")
    d.add_argument("--drain-idle", default="2s", help="old version drained after this long without requests")
    d.add_argument("--start-timeout", default="120s", help="max wait for the new version to be healthy")
    d.add_argument("--stop-grace", default="5s", help="time a stopped version's calls in flight get (5s)")
    d.add_argument("--tick", default="1s", help=argparse.SUPPRESS)


def plan_of(args: argparse.Namespace) -> Plan:
    """The Plan the deploy flags describe (RolloutError naming the bad flag)."""
    steps = schedule.parse_steps(args.steps)
    duration = schedule.parse_duration(args.duration, "--duration")
    if not 0.5 <= args.confidence < 1:
        raise RolloutError(f"--confidence {args.confidence}: must be in [0.5, 1), e.g. 0.99")
    if not 0 <= args.error_floor < 1:
        raise RolloutError(f"--error-floor {args.error_floor}: must be a ratio in [0, 1)")
    for flag, value in (("--min-requests", args.min_requests), ("--warmup-rounds", args.warmup_rounds)):
        if value < 1:
            raise RolloutError(f"{flag} {value}: must be >= 1")
    if args.warmup_requests < 0:
        raise RolloutError(f"--warmup-requests {args.warmup_requests}: must be >= 0")
    parse_paths(args.warmup_path)
    gate = Gate(
        min_requests=args.min_requests,
        warmup_requests=args.warmup_requests,
        warmup_paths=list(args.warmup_path),
        warmup_rounds=args.warmup_rounds,
        confidence=args.confidence,
        error_floor=args.error_floor,
        latency_floor_s=schedule.parse_duration(args.latency_floor, "--latency-floor"),
        hold_timeout_s=schedule.parse_duration(args.hold_timeout, "--hold-timeout"),
        on_hold_timeout=args.on_hold_timeout,
    )
    return Plan(
        steps=steps,
        step_s=duration / len(steps),
        drain_timeout_s=schedule.parse_duration(args.drain_timeout, "--drain-timeout"),
        drain_idle_s=schedule.parse_duration(args.drain_idle, "--drain-idle"),
        start_timeout_s=schedule.parse_duration(args.start_timeout, "--start-timeout"),
        stop_grace_s=schedule.parse_duration(args.stop_grace, "--stop-grace"),
        gate=gate,
    )


def _drive(paths: AppPaths, state: RolloutState, action: str, tick: float, explicit: Collection[str] = ()) -> int:
    """Run the controller on `state` (action: run, resume or abort) with a live display."""
    front = ProxyFront(paths)
    state.listeners = front.ensure(state.listeners, explicit)
    save(paths.state, state)
    display = Display()
    controller = Controller(state, paths, front, MultiDeployer(), observer=display, tick_s=tick)
    try:
        final = getattr(controller, action)()
    except KeyboardInterrupt:
        display.close()
        print(
            f"controller interrupted: the proxy and the versions keep serving; "
            f"`weaver rollout resume {state.app}` or `weaver rollout abort {state.app}`",
            file=sys.stderr,
        )
        return 130
    finally:
        display.close()
    return report(final)


def deploy(args: argparse.Namespace) -> int:
    package = load_package(args.pex, args.manifest, parse_listen(args.listen))
    plan = plan_of(args)
    targets(plan.gate.warmup_paths, package.listeners)  # names a listener the app lacks before anything starts
    tick = schedule.parse_duration(args.tick, "--tick")
    paths = AppPaths(package.app)
    with ControllerLock(paths.lock, package.app):
        log_to(paths)
        try:
            state = begin(
                package.app, package.version, "", package.listeners, plan, load(paths.state), MultiDeployer(),
                time.time(),
            )  # fmt: skip
        except AlreadyLive as e:
            print(f"{e}: nothing to do")
            return 0
        state.versions[package.version].pex = str(keep_pex(package, paths.pex(package.version)))
        return _drive(paths, state, "run", tick, explicit=parse_listen(args.listen).keys())


def pick_up(app: str, action: str) -> int:
    paths = AppPaths(app)
    with ControllerLock(paths.lock, app):
        log_to(paths)
        state = load(paths.state)
        if state is None:
            raise RolloutError(f"no rollout of {app} in {paths.state}")
        if state.over:
            raise RolloutError(f"the rollout of {app} is {state.phase}: nothing to {action}")
        return _drive(paths, state, action, 1.0)


def stop(app: str, grace_flag: str | None) -> int:
    grace = schedule.parse_duration(grace_flag, "--grace") if grace_flag else None
    paths = AppPaths(app)
    with ControllerLock(paths.lock, app):
        log_to(paths)
        state = load(paths.state)
        deployer = MultiDeployer()
        if state is not None:
            for version in state.running():
                deployer.stop(app, version, state.plan.stop_grace_s if grace is None else grace)
                state.versions[version].stopped = time.time()
            if not state.over:
                state.phase, state.aborted, state.reason = "aborted", True, "stopped by user"
            state.weights, state.live = {}, None
            state.note("stopped every version and the proxy")
            save(paths.state, state)
        stopped = ProxyFront(paths).stop(1.0 if grace is None else grace)
        print(f"stopped {app}" + ("" if stopped else " (no proxy was running)"))
        return 0


def run(args: argparse.Namespace) -> int:
    """Run a `weaver rollout` subcommand; returns the exit status."""
    try:
        match args.rollout_command:
            case "deploy":
                return deploy(args)
            case "status":
                return print_status(args.app, args.json)
            case "resume" | "abort":
                return pick_up(args.app, args.rollout_command)
            case "stop":
                return stop(args.app, args.grace)
            case "_proxy":
                from weaver.rollout import proxyhost

                return proxyhost.main(args.app, parse_listen(args.listen))
    except RolloutError as e:
        print(f"weaver rollout {args.rollout_command}: {e}", file=sys.stderr)
        return 1
    raise AssertionError(args.rollout_command)
