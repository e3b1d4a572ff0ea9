"""The app's proxy on Kubernetes as the rollout controller sees it (rollout.interfaces.Front).

`ensure` creates the proxy's Deployment and Services (proxyobjects.py) when the Deployment is
absent, and waits for a Ready proxy pod; an existing proxy is reused as it is (replacing it would
drop the connections it holds). Tables go to every Ready proxy pod's admin endpoints at its pod
IP, and counters come back summed; when a call fails (the pod was replaced), it waits up to
RECOVER_S for a Ready pod again and calls once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from weaver.deployers.kube import cluster
from weaver.deployers.kube.config import KubeConfig
from weaver.deployers.kube.proxyobjects import labels, objects, proxy_name, proxy_ports
from weaver.proxy.stats import Snapshot
from weaver.rollout.adminclient import AdminClient, merge
from weaver.rollout.paths import RolloutError
from weaver.rollout.tables import Entry, listener_tables

READY_TIMEOUT = 120.0
RECOVER_S = 90.0
"""How long a call waits for a replaced proxy pod (image present: seconds; scheduling: more)."""
T = TypeVar("T")


class KubeFront:
    """The proxy Deployment of one app in one namespace."""

    def __init__(self, client: Any, cfg: KubeConfig, app: str, image: str, pex: str, names: list[str]) -> None:
        self.client, self.cfg, self.app = client, cfg, app
        self.image, self.pex, self.names = image, pex, sorted(names)
        self.ports = proxy_ports(cfg, self.names)
        self._pods: list[dict[str, Any]] = []

    def _ready_pods(self, timeout: float) -> list[dict[str, Any]]:
        from lightkube.resources.core_v1 import Pod

        from weaver.deployers.kube.watching import wait_listed

        def any_ready(pods: dict[str, dict[str, Any]]) -> bool:
            return any(cluster.ready(p) for p in pods.values())

        try:
            pods = wait_listed(self.client, Pod, self.cfg.namespace, labels(self.app), any_ready, timeout)
        except TimeoutError:
            found = cluster.pods(self.client, self.cfg.namespace, labels(self.app))
            why = "; ".join(f"{p['metadata']['name']}: {cluster.not_ready_reason(p)}" for p in found) or "no pods"
            raise RolloutError(f"no Ready pod of {proxy_name(self.app)} within {timeout:.0f} s ({why})") from None
        return sorted((p for p in pods.values() if cluster.ready(p)), key=lambda p: p["metadata"]["name"])

    def ensure(self, listeners: dict[str, str]) -> dict[str, str]:
        """Create the proxy if absent, wait for a Ready pod; returns listener -> public address."""
        from lightkube import ApiError
        from lightkube.resources.apps_v1 import Deployment

        try:
            self.client.get(Deployment, proxy_name(self.app), namespace=self.cfg.namespace)
        except ApiError as e:
            if e.status.code != 404:
                raise RolloutError(f"Deployment {proxy_name(self.app)}: {e.status.message}") from None
            try:
                cluster.apply(self.client, objects(self.app, self.cfg, self.image, self.pex, self.names))
            except cluster.KubeError as e:
                raise RolloutError(f"creating the proxy of {self.app}: {e}") from None
        self._pods = self._ready_pods(READY_TIMEOUT)
        ip = self._pods[0]["status"]["podIP"]
        if self.cfg.host_network:
            return {name: f"{ip}:{self.ports[name][0]}" for name in listeners}
        return {name: f"{self.app}-{name}.{self.cfg.namespace}.svc:{self.ports[name][0]}" for name in listeners}

    def _admins(self) -> list[dict[str, AdminClient]]:
        if not self._pods:
            self._pods = self._ready_pods(READY_TIMEOUT)
        return [
            {name: AdminClient(f"{pod['status']['podIP']}:{admin}") for name, (_, admin) in self.ports.items()}
            for pod in self._pods
        ]

    def _with_admins(self, call: Callable[[list[dict[str, AdminClient]]], T]) -> T:
        try:
            return call(self._admins())
        except RolloutError:
            deadline = time.monotonic() + RECOVER_S
            self._pods = []
            while True:
                self._pods = self._ready_pods(max(1.0, deadline - time.monotonic()))
                try:
                    return call(self._admins())
                except RolloutError:
                    if time.monotonic() >= deadline:
                        raise
                    self._pods = []
                    time.sleep(0.5)  # a Ready pod whose admin does not answer yet; bounded by RECOVER_S

    def apply(self, table: dict[str, Entry]) -> None:
        tables = listener_tables(table, self.names)

        def put(pods: list[dict[str, AdminClient]]) -> None:
            for admins in pods:
                for name, client in admins.items():
                    client.put_table(tables[name])

        self._with_admins(put)

    def snapshot(self) -> Snapshot:
        return self._with_admins(lambda pods: merge([a.stats() for admins in pods for a in admins.values()]))

    def delete(self) -> list[str]:
        """Delete the proxy's objects and the rollout state (after every version of the app)."""
        return cluster.delete(self.client, self.cfg.namespace, labels(self.app))
