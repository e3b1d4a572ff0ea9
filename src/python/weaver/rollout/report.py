"""`weaver rollout status`: the saved state, who controls it, and what the proxy does now."""

from __future__ import annotations

import sys
import time

import msgspec

from weaver.rollout.adminclient import AdminClient
from weaver.rollout.lock import holder
from weaver.rollout.paths import AppPaths, RolloutError, all_apps
from weaver.rollout.proxyclient import ProxyFront
from weaver.rollout.state import RolloutState, load


def describe(state: RolloutState, paths: AppPaths) -> list[str]:
    """Human lines about one app's rollout."""
    pid = holder(paths.lock)
    where = f"step {state.step + 1}/{len(state.plan.steps)}, " if state.phase == "shifting" else ""
    control = f"controller pid {pid}" if pid else ("no controller" if not state.over else "finished")
    lines = [
        f"{state.app}: {state.phase} ({where}{control}); "
        f"{state.old[:12] if state.old else '(none)'} -> {state.new[:12]}; live {(state.live or '-')[:12]}",
        "  steps " + ",".join(f"{p:g}" for p in state.plan.steps) + f" of {state.plan.step_s:g}s",
        f"  started {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(state.started))}"
        + (f", finished {time.strftime('%H:%M:%S', time.localtime(state.finished))}" if state.finished else ""),
    ]
    if state.reason:
        lines.append(f"  reason: {state.reason}")
    if state.verdict:
        lines.append(f"  gate: {state.verdict}")
    for version in state.running():
        weight = state.weights.get(version)
        drain = " draining" if version in state.draining else ""
        lines.append(f"  runs {version[:12]}: weight {'-' if weight is None else f'{weight:g}%'}{drain}")
    info = ProxyFront(paths).running()
    if info is None:
        lines.append("  proxy: NOT RUNNING")
        return lines + [f"  {time.strftime('%H:%M:%S', time.localtime(e.at))} {e.message}" for e in state.events[-5:]]
    for name, li in info.listeners.items():
        try:
            table = AdminClient(li.admin).get_table()
            now = ", ".join(
                f"{v[:12]}={e.weight:g}%{' draining' if e.draining else ''}" for v, e in table.versions.items()
            )
        except RolloutError as e:
            now = f"admin unreachable ({e})"
        lines.append(f"  proxy {name} http://{li.address} (pid {info.pid}): {now or 'no versions'}")
    lines += [f"  {time.strftime('%H:%M:%S', time.localtime(e.at))} {e.message}" for e in state.events[-5:]]
    return lines


def print_status(app: str | None, as_json: bool) -> int:
    """Print the status of `app` (or every app with rollout state); 1 if there is none."""
    apps = [app] if app else all_apps()
    if not apps:
        print("no rollouts", file=sys.stderr)
        return 1
    for name in apps:
        paths = AppPaths(name)
        state = load(paths.state)
        if state is None:
            raise RolloutError(f"no rollout of {name} in {paths.state}")
        if as_json:
            sys.stdout.write(msgspec.json.encode(state).decode() + "\n")
        else:
            print("\n".join(describe(state, paths)))
    return 0
