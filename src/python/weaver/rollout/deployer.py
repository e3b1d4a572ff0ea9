"""The multiprocess deployer as the controller sees it: its CLI and its status.json.

weaver multi deploy APP.pex --private-listeners --detach     start a version
weaver multi deploy APP.pex --listener NAME=ADDR --detach    restart one on the addresses it had
multi/<app>/<version>/status.json                            health and listener addresses
weaver multi stop APP --version V --grace S                  stop it
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from weaver.internal.procs import pid_alive
from weaver.internal.selfcmd import child_env, weaver_command
from weaver.rollout.interfaces import VersionHealth
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.runtime import status

DEPLOY_TIMEOUT = 120.0


def _run(argv: list[str], timeout: float, what: str) -> None:
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=child_env(), cwd="/"
        )  # cwd: the versions it starts must not import code from ours (a PEX puts its cwd on sys.path)
    except subprocess.TimeoutExpired:
        raise RolloutError(f"{what}: no answer within {timeout:.0f}s ({' '.join(argv)})") from None
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        raise RolloutError(f"{what} failed (exit {done.returncode}): {tail or 'no output'}")


class MultiDeployer:
    """Versions of one state dir's apps under `weaver multi`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root

    def start(self, app: str, version: str, pex: Path, listeners: dict[str, str] | None = None) -> None:
        """Start the version detached; on `listeners` (name -> address) if given, else on free ports."""
        where = [f"--listener={name}={address}" for name, address in (listeners or {}).items()]
        argv = [*weaver_command(), "multi", "deploy", str(pex), *(where or ["--private-listeners"]), "--detach"]
        _run(argv, DEPLOY_TIMEOUT, f"weaver multi deploy of {app} {version[:12]}")

    def status(self, app: str, version: str) -> VersionHealth | None:
        path = AppPaths(app, self.root).status(version)
        try:
            st = status.read(path)
        except status.StatusError as e:
            return VersionHealth(False, False, {}, f"unreadable status: {e}")
        if st is None:
            return None
        alive = pid_alive(st.manager_pid, reap=True)
        detail = st.summary() if alive else f"manager {st.manager_pid} not running"
        return VersionHealth(alive, alive and st.healthy, dict(st.listeners), detail, st.metrics)

    def stop(self, app: str, version: str, grace: float) -> None:
        status = self.status(app, version)
        if status is None or not status.alive:
            return
        argv = [*weaver_command(), "multi", "stop", app, "--version", version, "--grace", f"{grace:g}"]
        _run(argv, grace + 30, f"weaver multi stop of {app} {version[:12]}")
