"""Kubernetes objects for one version of an app: deterministic, labelled, least privilege.

Input: the manifest `pants package` writes beside an app's PEX (app, version = the PEX's
sha256, components and their listeners, colocation groups) and a `KubeConfig`. Output: plain
objects in a fixed order, so the same PEX and config always give byte-identical YAML. Every object
carries the labels `weaver.dev/app`, `weaver.dev/version` (the short version: label values are
at most 63 characters) and, per group, `weaver.dev/group`; the full sha256 is an annotation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from weaver.config import ConfigError
from weaver.deployers.kube import apisocket
from weaver.deployers.kube.config import GroupConfig, KubeConfig

SHORT = 16
"""Hex digits of the version in names and labels."""
RPC_PORT = 10000
HEALTH_PORT = 9090
"""The first group's ports; group i (in manifest order) gets these + i, so that host-network pods
of different groups on one node do not collide."""
FIRST_LISTENER_PORT = 8080
PEX_DIR = "/weaver"
CONFIG_DIR = "/etc/weaver"
STARTUP_CHECKS = 90
STARTUP_PERIOD = 2
"""A pod has STARTUP_CHECKS * STARTUP_PERIOD seconds to start its proclet before the kubelet
restarts it; liveness and readiness probes begin only once it has started (so a slow first start
on a loaded node is not a restart loop)."""

Obj = dict[str, Any]


class AppSpec:
    """What the generator needs from an app's manifest, checked."""

    def __init__(self, manifest: Mapping[str, Any], where: str) -> None:
        try:
            self.app = str(manifest["app"])
            self.version = str(manifest["version"])
            self.pex = str(manifest["pex"])
            components = {str(c["name"]): [str(x) for x in c.get("listeners", [])] for c in manifest["components"]}
        except (KeyError, TypeError) as e:
            raise ConfigError(f"{where}: not a weaver app manifest (missing or bad {e})") from None
        if not re.fullmatch(r"[0-9a-f]{64}", self.version):
            raise ConfigError(f"{where}: version {self.version!r} is not a sha256 (build the app with `pants package`)")
        placed = [(sorted(g["components"]), int(g.get("replicas", 1))) for g in manifest.get("groups") or []]
        seen = {c for g, _ in placed for c in g}
        placed += [([c], 1) for c in sorted(components) if c not in seen]
        self.groups: dict[str, list[str]] = {group_name(g): g for g, _ in placed}
        self.replicas: dict[str, int] = {group_name(g): n for g, n in placed}
        """Replicas per group in the app's own placement (`[multi]`), the default here."""
        self.listeners: dict[str, str] = {}
        """Listener name -> the group that serves it."""
        for name, comps in self.groups.items():
            for c in comps:
                for listener in components.get(c, []):
                    self.listeners[listener] = name

    @property
    def short(self) -> str:
        return self.version[:SHORT]


def group_name(components: list[str]) -> str:
    """The group's DNS-safe name: its components' short names, lower-case, joined by '-'."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", c.rsplit(".", 1)[-1].lower()).strip("-") for c in components)


def generate(spec: AppSpec, cfg: KubeConfig, app_config: str, where: str, port_offset: int = 0) -> list[Obj]:
    """The version's objects, in apply order. `port_offset` moves every port the pods bind (rpc,
    health, listeners): with host-network pods, two versions on one node during a rollout."""
    for name in cfg.groups:
        if name not in spec.groups and name.lower() not in spec.groups:
            raise ConfigError(f"{where}: [kube] key groups.{name}: no such group (groups: {', '.join(spec.groups)})")
    for name in cfg.listeners:
        if name not in spec.listeners:
            raise ConfigError(f"{where}: [kube] key listeners.{name}: the app has no listener {name!r}")
    base = dns_name(f"{spec.app}-{spec.short}")
    labels = {"app.kubernetes.io/managed-by": "weaver", "weaver.dev/app": spec.app, "weaver.dev/version": spec.short}
    meta = _meta(cfg.namespace, labels, spec.version)
    objs: list[Obj] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(base)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta(base),
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta(base),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": base},
            "subjects": [{"kind": "ServiceAccount", "name": base, "namespace": cfg.namespace}],
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(f"{base}-config"),
            "data": {"config.toml": app_config},
        },
    ]
    ports = {name: FIRST_LISTENER_PORT + i for i, name in enumerate(sorted(spec.listeners))}
    ports.update({n: lc.container_port for n, lc in cfg.listeners.items() if lc.container_port is not None})
    ports = {n: p + port_offset for n, p in ports.items()}
    if port_offset:
        moved = {"rpc_port": cfg.rpc_port + port_offset, "health_port": cfg.health_port + port_offset}
        cfg = msgspec.structs.replace(cfg, **moved)
    if max([*ports.values(), cfg.rpc_port + len(spec.groups), cfg.health_port + len(spec.groups)]) > 65535:
        raise ConfigError(f"{where}: ports moved by {port_offset} (another version holds the first ones) pass 65535")
    for index, group in enumerate(spec.groups):
        gc = cfg.groups.get(group) or next((g for n, g in cfg.groups.items() if n.lower() == group), GroupConfig())
        own_ports = {n: p for n, p in ports.items() if spec.listeners[n] == group}
        objs += _group(spec, cfg, gc, (index, group), base, meta, own_ports)
    for listener, group in sorted(spec.listeners.items()):
        lc = cfg.listeners.get(listener)
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(dns_name(f"{base}-{listener}"), group),
                "spec": {
                    "type": "LoadBalancer" if lc is not None and lc.public else "ClusterIP",
                    "selector": {**labels, "weaver.dev/group": group},
                    # protocol is part of the ports list's key under server-side apply: always given.
                    "ports": [
                        {
                            "name": "http",
                            "port": lc.port if lc else 80,
                            "protocol": "TCP",
                            "targetPort": ports[listener],
                        }
                    ],
                },
            }
        )
    return objs


def _meta(namespace: str, labels: dict[str, str], version: str) -> Any:
    def meta(name: str, group: str | None = None) -> Obj:
        own = {**labels, "weaver.dev/group": group} if group else dict(labels)
        return {
            "name": name,
            "namespace": namespace,
            "labels": own,
            "annotations": {"weaver.dev/version-sha256": version},
        }

    return meta


def _group(
    spec: AppSpec,
    cfg: KubeConfig,
    gc: GroupConfig,
    numbered: tuple[int, str],
    base: str,
    meta: Any,
    listener_ports: dict[str, int],
) -> list[Obj]:
    index, group = numbered
    name = dns_name(f"{base}-{group}")
    selector = {"weaver.dev/app": spec.app, "weaver.dev/version": spec.short, "weaver.dev/group": group}
    autoscaled = gc.min is not None and gc.max is not None
    resources: Obj = {"requests": {"cpu": gc.cpu, "memory": gc.memory}}
    limits = {k: v for k, v in (("cpu", gc.cpu_limit), ("memory", gc.memory_limit or gc.memory)) if v}
    resources["limits"] = limits
    probe = {"httpGet": {"path": "/healthz", "port": "health"}, "periodSeconds": 5}
    api, api_volume, api_mount = _api_access(cfg)
    env = [
        {"name": "WEAVER_PROCLET", "value": "kube"},
        {"name": "WEAVER_APP", "value": spec.app},
        {"name": "WEAVER_VERSION", "value": spec.version},
        {"name": "WEAVER_KUBE_GROUP", "value": group},
        {"name": "WEAVER_KUBE_COMPONENTS", "value": ",".join(spec.groups[group])},
        {"name": "WEAVER_KUBE_LISTENERS", "value": ",".join(f"{n}={p}" for n, p in sorted(listener_ports.items()))},
        {"name": "WEAVER_CONFIG", "value": f"{CONFIG_DIR}/config.toml"},
        {"name": "WEAVER_KUBE_RPC_PORT", "value": str(cfg.rpc_port + index)},
        {"name": "WEAVER_KUBE_HEALTH_PORT", "value": str(cfg.health_port + index)},
        {"name": "WEAVER_KUBE_GRACE", "value": str(max(cfg.grace - 1, 0))},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {
            "name": "WEAVER_KUBE_VERSION_LABEL",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['weaver.dev/version']"}},
        },
        *api,
    ]
    container_ports = [
        {"name": "rpc", "containerPort": cfg.rpc_port + index, "protocol": "TCP"},
        {"name": "health", "containerPort": cfg.health_port + index, "protocol": "TCP"},
    ]
    for i, (_, port) in enumerate(sorted(listener_ports.items())):
        container_ports.append({"name": f"l{i}", "containerPort": port, "protocol": "TCP"})
    deployment: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, group),
        "spec": {
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": {**meta(name, group)["labels"]}, "annotations": meta(name)["annotations"]},
                "spec": {
                    **({"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"} if cfg.host_network else {}),
                    "serviceAccountName": base,
                    "terminationGracePeriodSeconds": cfg.grace,
                    "containers": [
                        {
                            "name": "weaver",
                            "image": cfg.image,
                            "command": ["python3", f"{PEX_DIR}/{spec.pex}"],
                            "env": env,
                            "ports": container_ports,
                            "resources": resources,
                            "startupProbe": {
                                **probe, "periodSeconds": STARTUP_PERIOD, "failureThreshold": STARTUP_CHECKS,
                            },
                            "readinessProbe": probe,
                            "livenessProbe": {**probe, "failureThreshold": 3},
                            "volumeMounts": [
                                {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}, *api_mount,
                            ],
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": f"{base}-config"}}, *api_volume],
                },
            },
        },
    }
    if not autoscaled:
        deployment["spec"]["replicas"] = gc.replicas if gc.replicas is not None else spec.replicas[group]
    out = [
        deployment,
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(name, group),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}},
        },
    ]
    if autoscaled:
        out.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta(name, group),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": gc.min,
                    "maxReplicas": gc.max,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": gc.target_cpu},
                            },
                        }
                    ],
                },
            }
        )
    return out


def _api_access(cfg: KubeConfig) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """(env, volumes, mounts) by which the envelope reaches the API server: the in-cluster
    `kubernetes` Service by default, `api_server`, or the node's relay socket (`api_socket`)."""
    if cfg.api_server:
        host, port = cfg.api_server.rsplit(":", 1)
        env = [{"name": "KUBERNETES_SERVICE_HOST", "value": host}, {"name": "KUBERNETES_SERVICE_PORT", "value": port}]
        return env, [], []
    if not cfg.api_socket:
        return [], [], []
    directory, name = cfg.api_socket.rsplit("/", 1)
    env = [
        {"name": "KUBERNETES_SERVICE_HOST", "value": apisocket.POD_ADDRESS[0]},
        {"name": "KUBERNETES_SERVICE_PORT", "value": str(apisocket.POD_ADDRESS[1])},
        {"name": "WEAVER_KUBE_API_SOCKET", "value": f"{apisocket.POD_SOCKET_DIR}/{name}"},
    ]
    volume = {"name": "api-socket", "hostPath": {"path": directory or "/", "type": "Directory"}}
    mount = {"name": "api-socket", "mountPath": apisocket.POD_SOCKET_DIR, "readOnly": True}
    return env, [volume], [mount]


def dns_name(text: str) -> str:
    """`text` as a DNS-1123 label: lower-case, '-' for anything else, at most 63 characters."""
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return label[:63].rstrip("-")
