"""Versions on Kubernetes as the rollout controller sees them (rollout.interfaces.Deployer).

start   server-side apply of the version's objects (manifests.py), its image `weaver kube image`'s
        name unless given; with host-network pods, every port moved by a multiple of PORT_STRIDE
        clear of the ports the app's other versions and its proxy hold on the node
status  None without Deployments; healthy once every Deployment has its replicas Ready;
        listeners are the version's own addresses (its Services, or with host network the
        Ready pod serving the listener), the private backends the proxy routes to
stop    foreground delete of every object of the version, waiting until its pods are gone
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weaver.config import ConfigError
from weaver.deployers.kube import cluster
from weaver.deployers.kube.config import KubeConfig
from weaver.deployers.kube.manifests import SHORT, dns_name
from weaver.rollout.interfaces import VersionHealth
from weaver.rollout.paths import RolloutError

PORT_STRIDE = 1000
MAX_STRIDES = 30
STOP_WAIT = 60.0
"""Beyond the grace, how long `stop` waits for the version's pods to be gone."""


def _ports(deployment: dict[str, Any]) -> set[int]:
    containers = deployment["spec"]["template"]["spec"].get("containers") or []
    return {int(p["containerPort"]) for c in containers for p in c.get("ports") or []}


def _env(deployment: dict[str, Any]) -> dict[str, str]:
    container = (deployment["spec"]["template"]["spec"].get("containers") or [{}])[0]
    return {e["name"]: e.get("value") or "" for e in container.get("env") or []}


class KubeDeployer:
    """One namespace's versions of apps, deployed from `config_path` (a kube.toml)."""

    def __init__(self, client: Any, cfg: KubeConfig, config_path: str, image: str | None = None) -> None:
        self.client, self.cfg, self.config_path, self.image = client, cfg, config_path, image

    def _deployments(self, labels: dict[str, str]) -> list[dict[str, Any]]:
        from lightkube.resources.apps_v1 import Deployment

        items = self.client.list(Deployment, namespace=self.cfg.namespace, labels=labels)
        return sorted((d.to_dict() for d in items), key=lambda d: d["metadata"]["name"])

    def start(self, app: str, version: str, pex: Path, listeners: dict[str, str] | None = None) -> None:
        from weaver.deployers.kube.command import generate_objects
        from weaver.deployers.kube.image import image_name

        image = self.image or image_name(app, version)
        taken: set[int] = set()
        if self.cfg.host_network:
            for d in self._deployments(cluster.selector(app)):
                if d["metadata"].get("labels", {}).get(cluster.VERSION_LABEL) != version[:SHORT]:
                    taken |= _ports(d)
        try:
            for stride in range(MAX_STRIDES):
                objects = generate_objects(str(pex), self.config_path, stride * PORT_STRIDE, image)
                used = set().union(*(_ports(o) for o in objects if o["kind"] == "Deployment"))
                if not used & taken:
                    break
            else:
                raise RolloutError(f"no ports clear of the other versions' {sorted(taken)} for {app} {version[:12]}")
            cluster.apply(self.client, objects)
        except (ConfigError, cluster.KubeError) as e:
            raise RolloutError(f"applying {app} {version[:12]}: {e}") from None

    def status(self, app: str, version: str) -> VersionHealth | None:
        deployments = self._deployments(cluster.selector(app, version[:SHORT]))
        if not deployments:
            return None
        short = version[:SHORT]
        counts, healthy = [], True
        for d in deployments:
            want = int(d["spec"].get("replicas") or 0)
            ready = int((d.get("status") or {}).get("readyReplicas") or 0)
            healthy = healthy and want > 0 and ready >= want
            counts.append(f"{d['metadata']['labels'].get('weaver.dev/group', '?')} {ready}/{want}")
        listeners = self._listeners(app, short, deployments) if healthy else {}
        return VersionHealth(True, healthy, listeners, "Ready: " + ", ".join(counts))

    def _listeners(self, app: str, short: str, deployments: list[dict[str, Any]]) -> dict[str, str]:
        """Listener -> the version's own address for it."""
        out: dict[str, str] = {}
        for d in deployments:
            for item in filter(None, _env(d).get("WEAVER_KUBE_LISTENERS", "").split(",")):
                name, _, port = item.partition("=")
                if not self.cfg.host_network:
                    lc = self.cfg.listeners.get(name)
                    out[name] = f"{dns_name(f'{app}-{short}-{name}')}.{self.cfg.namespace}.svc:{lc.port if lc else 80}"
                    continue
                group = d["metadata"]["labels"].get("weaver.dev/group", "")
                labels = {**cluster.selector(app, short), "weaver.dev/group": group}
                ready = sorted(p["status"]["podIP"] for p in cluster.pods(self.client, self.cfg.namespace, labels)
                               if cluster.ready(p))
                if ready:
                    out[name] = f"{ready[0]}:{port}"
        return out

    def stop(self, app: str, version: str, grace: float) -> None:
        labels = cluster.selector(app, version[:SHORT])
        try:
            if cluster.delete(self.client, self.cfg.namespace, labels):
                cluster.wait_gone(self.client, self.cfg.namespace, labels, max(grace, self.cfg.grace) + STOP_WAIT)
        except cluster.KubeError as e:
            raise RolloutError(f"deleting {app} {version[:12]}: {e}") from None
