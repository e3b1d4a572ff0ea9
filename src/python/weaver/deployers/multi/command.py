"""`weaver multi ...`: the multiprocess deployer's subcommands of the `weaver` command.

weaver multi deploy APP.pex [--config FILE] [--listener NAME=HOST:PORT ...] [--private-listeners]
                            [--replicas N] [--detach]
weaver multi status [--json] [APP]
weaver multi logs [--follow] [--app APP] [FILTER ...]     e.g. level>=WARNING component=Greeter
weaver multi stop APP [--version V] [--grace SECONDS]
weaver multi metrics [--app APP] [FILTER]                 e.g. Greeter, or a caller's name
weaver multi dashboard [--port P] [--app APP]             a web page on 127.0.0.1 (docs/observability.md)
"""

from __future__ import annotations

import argparse
from typing import Any

from weaver.deployers.multi import actions


def add_subcommands(sub: Any) -> None:
    """Add `multi` to the `weaver` command's subparsers."""
    multi = sub.add_parser("multi", help="deploy an app over local processes (replicated, restarted)")
    msub = multi.add_subparsers(dest="multi_command", required=True)
    deploy = msub.add_parser("deploy", help="deploy APP.pex (runs until SIGINT/SIGTERM unless --detach)")
    deploy.add_argument("pex", help="the packaged app (.pex)")
    deploy.add_argument("--config", help="TOML config (default: the one embedded in the PEX)")
    deploy.add_argument(
        "--listener",
        action="append",
        default=[],
        metavar="NAME=HOST:PORT",
        help="where listener NAME listens (its replicas share the port; repeatable)",
    )
    deploy.add_argument("--private-listeners", action="store_true", help="bind every listener on 127.0.0.1:0")
    deploy.add_argument("--replicas", type=int, help="replicas per group (overrides [multi] replicas)")
    deploy.add_argument("--detach", action="store_true", help="run the manager in the background")
    deploy.add_argument("--timeout", type=float, default=120.0, help="--detach: seconds to wait for health")
    status = msub.add_parser("status", help="deployments, groups, replicas and listeners")
    status.add_argument("app", nargs="?", help="only this app")
    status.add_argument("--json", action="store_true", help="print the status documents as JSON")
    logs = msub.add_parser("logs", help="the structured logs of every replica")
    logs.add_argument("filter", nargs="*", help="terms: field=value, field!=value, field~text, level>=LEVEL, word")
    logs.add_argument("--app", help="only this app")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new entries")
    metrics = msub.add_parser("metrics", help="per-method call metrics from the manager's /metrics")
    metrics.add_argument("filter", nargs="?", default="", help="only rows with a label containing this text")
    metrics.add_argument("--app", help="only this app")
    dash = msub.add_parser("dashboard", help="serve the deployments' dashboard on 127.0.0.1 (call graph, traces, logs)")
    dash.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one, printed)")
    dash.add_argument("--app", help="only this app")
    stop = msub.add_parser("stop", help="stop an app's deployments (all versions unless --version)")
    stop.add_argument("app")
    stop.add_argument("--version", help="only this version (a prefix is enough)")
    stop.add_argument("--grace", type=float, help="seconds calls in flight get to finish (default [multi] grace)")


def run(args: argparse.Namespace) -> int:
    """Run a parsed `multi` command; returns the exit status."""
    handler = {
        "deploy": actions.deploy,
        "status": actions.status,
        "logs": actions.logs,
        "stop": actions.stop,
        "metrics": actions.metrics,
        "dashboard": actions.dashboard,
    }[args.multi_command]
    return handler(args)

