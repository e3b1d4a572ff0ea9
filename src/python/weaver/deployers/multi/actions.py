"""The `weaver multi` commands: deploy (foreground or detached), status, logs, stop."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

import msgspec

from weaver.config import ConfigError
from weaver.deployers.multi import deployments, logstore
from weaver.internal import statedir
from weaver.internal.procs import pid_alive
from weaver.internal.selfcmd import child_env, weaver_command
from weaver.runtime import launch


def deploy(args: argparse.Namespace) -> int:
    listeners = {}
    for item in args.listener:
        name, sep, address = item.partition("=")
        if not sep or not name or ":" not in address:
            print(f"weaver multi deploy: --listener {item!r}: want NAME=HOST:PORT", file=sys.stderr)
            return 2
        listeners[name] = address
    if args.detach:
        return _detach(args)
    import logging

    from weaver.deployers.multi.deployment import deploy as start
    from weaver.deployers.multi.deployment import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def main() -> int:
        manager = await start(launch.from_pex(args.pex, args.config), args.replicas, listeners, args.private_listeners)
        for name, address in manager.listeners.items():
            print(f"listener {name}: http://{address}", flush=True)
        return await serve(manager)

    try:
        return asyncio.run(main())
    except (ConfigError, launch.LaunchError, OSError, RuntimeError, ValueError) as e:
        print(f"weaver multi deploy: {e}", file=sys.stderr)
        return 1


def _detach(args: argparse.Namespace) -> int:
    """Start the manager in its own session; wait until its deployment is healthy."""
    argv = _rebuild(args)
    logs = statedir.root() / "multi" / "managers"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{int(time.time() * 1000)}.log"
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(
            [*weaver_command(), *argv],
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    end = time.monotonic() + args.timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            print(
                f"weaver multi deploy: the manager exited with status {proc.returncode}:\n"
                f"{log_path.read_text()[-3000:]}",
                file=sys.stderr,
            )
            return 1
        for d in deployments.listed():
            st = d.status
            if st.manager_pid == proc.pid and st.healthy:
                print(f"deployed {st.app}@{st.version} (manager pid {proc.pid}, log {log_path})")
                for name, address in st.listeners.items():
                    print(f"listener {name}: http://{address}")
                return 0
        time.sleep(0.1)
    print(
        f"weaver multi deploy: not healthy after {args.timeout:.0f}s; it keeps trying (manager pid {proc.pid}, "
        f"log {log_path}); see `weaver multi status`",
        file=sys.stderr,
    )
    return 1


def _rebuild(args: argparse.Namespace) -> list[str]:
    argv = ["multi", "deploy", os.path.abspath(args.pex)]
    if args.config:
        argv += ["--config", os.path.abspath(args.config)]
    for item in args.listener:
        argv += ["--listener", item]
    if args.private_listeners:
        argv.append("--private-listeners")
    if args.replicas:
        argv += ["--replicas", str(args.replicas)]
    return argv


def status(args: argparse.Namespace) -> int:
    found = deployments.listed(args.app)
    if args.json:
        docs = [{**msgspec.to_builtins(d.status), "alive": d.alive} for d in found]
        print(json.dumps(docs, indent=2, sort_keys=True))
        return 0
    if not found:
        print(f"no deployments under {statedir.root() / 'multi'}")
        return 0
    for d in found:
        print(_table(d))
    return 0


def _table(d: deployments.Deployment) -> str:
    st = d.status
    health = "healthy" if st.healthy else "UNHEALTHY"
    if not d.alive:
        health = "DEAD (manager gone; stale status)"
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.started))
    lines = [f"{st.app}@{st.version[:16]}  manager {st.manager_pid}  {health}  since {started}"]
    for name, address in sorted(st.listeners.items()):
        lines.append(f"  listener {name:<12} {address}")
    rows = [("GROUP", "REPLICA", "PID", "ADDRESS", "HEALTHY", "RESTARTS", "COMPONENTS")]
    for g in st.groups:
        comps = ", ".join(c.rsplit(".", 1)[-1] for c in g.components)
        for r in g.replicas:
            rows.append(
                (g.name, r.replica, str(r.pid), r.address, "yes" if r.healthy else "no", str(r.restarts), comps)
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def metrics(args: argparse.Namespace) -> int:
    from weaver.deployers.multi import metricstable

    found = [d for d in deployments.listed(args.app) if d.alive and d.status.metrics]
    if not found:
        print(f"no running deployment publishes metrics under {statedir.root() / 'multi'}")
        return 1
    for d in found:
        st = d.status
        try:
            text = metricstable.fetch(st.metrics)
        except OSError as e:
            where = f"{st.app}@{st.version[:16]}: http://{st.metrics}/metrics"
            print(f"weaver multi metrics: {where}: {e}", file=sys.stderr)
            return 1
        title = f"{st.app}@{st.version[:16]}  http://{st.metrics}/metrics"
        print(metricstable.render(metricstable.rows(text, args.filter), title), end="")
    return 0


def dashboard(args: argparse.Namespace) -> int:
    from weaver.deployers.multi import dashboardcmd

    return dashboardcmd.dashboard(args)


def logs(args: argparse.Namespace) -> int:
    try:
        terms = logstore.parse_filter(args.filter)
    except logstore.FilterError as e:
        print(f"weaver multi logs: {e}", file=sys.stderr)
        return 2
    files = deployments.log_files(args.app)
    try:
        for entry in logstore.read(files, terms):
            print(logstore.format_entry(entry))
        if args.follow:
            for entry in logstore.follow(files, terms):
                print(logstore.format_entry(entry), flush=True)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0


def stop(args: argparse.Namespace) -> int:
    from weaver.deployers.multi.deployment import request_stop

    targets = [
        d
        for d in deployments.listed(args.app)
        if d.alive and (not args.version or d.status.version.startswith(args.version))
    ]
    if not targets:
        print(
            f"weaver multi stop: no running deployment of {args.app}{'@' + args.version if args.version else ''}",
            file=sys.stderr,
        )
        return 1
    for d in targets:
        request_stop(d.dir, d.status.manager_pid, args.grace)
    deadline = time.monotonic() + (args.grace if args.grace is not None else 10.0) + 15.0
    code = 0
    for d in targets:
        st = d.status
        pid = st.manager_pid
        while pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
        if pid_alive(pid):
            print(f"weaver multi stop: manager {pid} did not stop in time; killing it", file=sys.stderr)
            os.kill(pid, 9)
            code = 1
        print(f"stopped {st.app}@{st.version[:16]}")
    return code


def _reap(pid: int) -> None:
    """Collect `pid` if it is our own child (a detached manager started by this process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
