"""The app's proxy front as the controller sees it: find or start the proxy process, drive it.

`ensure` reuses a live proxy (proxy.json's pid answers on its admin endpoints) or starts a new
detached one (its own session, output to proxy.log) and waits until it has published its
addresses. Tables go to every listener's admin endpoint; stats come back summed. When the
proxy worker died and its guard restarted it, calls wait for the new worker's addresses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Collection
from typing import TypeVar

from weaver.internal.procs import pid_alive
from weaver.internal.selfcmd import child_env, weaver_command
from weaver.proxy.stats import Snapshot
from weaver.rollout.adminclient import AdminClient, merge
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.proxyhost import ProxyInfo, read_info
from weaver.rollout.tables import Entry, listener_tables

START_TIMEOUT = 20.0
RECOVER_S = 15.0
"""How long a call waits for a restarted proxy worker (the guard restarts it at once)."""
T = TypeVar("T")


class ProxyFront:
    """The proxy process of one app."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        self.info: ProxyInfo | None = None

    def running(self) -> ProxyInfo | None:
        """The live proxy's info, or None."""
        info = read_info(self.paths)
        if info is None or not pid_alive(info.pid, reap=True):
            return None
        if not all(AdminClient(li.admin).healthy() for li in info.listeners.values()):
            return None
        return info

    def ensure(self, listeners: dict[str, str], explicit: Collection[str] = ()) -> dict[str, str]:
        """The live proxy's addresses (started if needed). A running proxy keeps its addresses
        unless `explicit` names a listener whose `--listen` address differs (then it is an error)."""
        info = self.running() or self._start(listeners)
        for name, wanted in listeners.items():
            have = info.listeners.get(name)
            if have is None:
                raise RolloutError(
                    f"the proxy of {self.paths.app} (pid {info.pid}) has no listener {name!r} (it has "
                    f"{', '.join(info.listeners) or 'none'}); restart it: `weaver rollout stop {self.paths.app}`"
                )
            if name in explicit and not wanted.endswith(":0") and have.address != wanted:
                raise RolloutError(
                    f"the proxy of {self.paths.app} serves {name} on {have.address}, not {wanted}; "
                    f"pass --listen {name}={have.address} or restart it with `weaver rollout stop {self.paths.app}`"
                )
        self.info = info
        return {name: info.listeners[name].address for name in listeners}

    def _start(self, listeners: dict[str, str]) -> ProxyInfo:
        self.paths.dir.mkdir(parents=True, exist_ok=True)
        self.paths.proxy.unlink(missing_ok=True)
        argv = [*weaver_command(), "rollout", "_proxy", self.paths.app]
        for name, address in listeners.items():
            argv += ["--listen", f"{name}={address}"]
        with open(self.paths.proxy_log, "ab") as log:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, env=child_env(), cwd="/",
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            info = read_info(self.paths)
            if info is not None and info.pid == proc.pid:
                return info
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        else:
            proc.kill()
        tail = self.paths.proxy_log.read_text(errors="replace").strip().splitlines()[-3:]
        raise RolloutError(f"the proxy of {self.paths.app} did not start: {' | '.join(tail) or 'no output'}")

    def _admins(self) -> dict[str, AdminClient]:
        info = self.info or self.running()
        if info is None:
            raise RolloutError(f"the proxy of {self.paths.app} is not running")
        self.info = info
        return {name: AdminClient(li.admin) for name, li in info.listeners.items()}

    def _with_admins(self, call: Callable[[dict[str, AdminClient]], T]) -> T:
        """`call` on the admin clients; if they fail, wait (up to RECOVER_S) for the guard's next
        worker to publish its admin addresses, and call once more."""
        try:
            return call(self._admins())
        except RolloutError as first:
            failed = self.info
            deadline = time.monotonic() + RECOVER_S
            while time.monotonic() < deadline:
                self.info = None
                info = self.running()
                if info is not None and info != failed:
                    return call(self._admins())
                time.sleep(0.05)
            raise first

    def apply(self, table: dict[str, Entry]) -> None:
        def put(admins: dict[str, AdminClient]) -> None:
            for name, t in listener_tables(table, list(admins)).items():
                admins[name].put_table(t)

        self._with_admins(put)

    def snapshot(self) -> Snapshot:
        return self._with_admins(lambda admins: merge([a.stats() for a in admins.values()]))

    def stop(self, grace: float = 5.0) -> bool:
        """Stop the proxy process; False if none ran."""
        info = read_info(self.paths)
        if info is None or not pid_alive(info.pid, reap=True):
            self.paths.proxy.unlink(missing_ok=True)
            return False
        os.kill(info.pid, signal.SIGTERM)
        for sig_after in (grace + 5, 2.0):
            deadline = time.monotonic() + sig_after
            while pid_alive(info.pid, reap=True) and time.monotonic() < deadline:
                time.sleep(0.05)
            if not pid_alive(info.pid, reap=True):
                break
            os.kill(info.pid, signal.SIGKILL)
        self.paths.proxy.unlink(missing_ok=True)
        return True
