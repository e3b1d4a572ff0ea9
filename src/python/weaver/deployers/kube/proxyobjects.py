"""The objects of an app's version-pinning proxy on Kubernetes (`weaver kube rollout`).

One Deployment `<app>-proxy` runs the proxy (the app's PEX in `WEAVER_PROCLET=kube-proxy`
mode, see proxypod.py) and one Service `<app>-<listener>` per public listener selects its pods:
the app's stable front, outliving every version. Labels carry the app and the role
`weaver.dev/role=proxy`, never a version, so deleting a version leaves them alone. The proxy
needs no API access (no service-account token); it reads the rollout's state, for the tables to
start from after a restart, from the mounted state ConfigMap (weaver.kuberollout.store).
"""

from __future__ import annotations

from typing import Any

from weaver.deployers.kube.config import KubeConfig
from weaver.deployers.kube.manifests import PEX_DIR, dns_name

ROLE_LABEL = "weaver.dev/role"
STATE_DIR = "/etc/weaver-rollout"
STATE_KEY = "state.json"
LISTENERS_ENV = "WEAVER_KUBE_PROXY_LISTENERS"


def proxy_name(app: str) -> str:
    return dns_name(f"{app}-proxy")


def state_name(app: str) -> str:
    """The ConfigMap holding the app's rollout state."""
    return dns_name(f"weaver-rollout-{app}")


def labels(app: str) -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "weaver", "weaver.dev/app": app, ROLE_LABEL: "proxy"}


def proxy_ports(cfg: KubeConfig, listeners: list[str]) -> dict[str, tuple[int, int]]:
    """Listener -> (public port, admin port) of the proxy pods, listeners in sorted order."""
    out = {}
    for i, name in enumerate(sorted(listeners)):
        lc = cfg.listeners.get(name)
        port = (lc.proxy_port or lc.port) if lc is not None else 80
        out[name] = (port, cfg.proxy.admin_port + i)
    return out


def listeners_env(ports: dict[str, tuple[int, int]]) -> str:
    """`NAME=PORT:ADMIN,...`, what proxypod.parse_listeners reads."""
    return ",".join(f"{n}={p}:{a}" for n, (p, a) in sorted(ports.items()))


def objects(app: str, cfg: KubeConfig, image: str, pex: str, listeners: list[str]) -> list[dict[str, Any]]:
    """The proxy's Deployment and its Services, in apply order."""
    name, own = proxy_name(app), labels(app)
    ports = proxy_ports(cfg, listeners)
    meta = {"name": name, "namespace": cfg.namespace, "labels": own}
    container_ports = []
    for i, (_, (port, admin)) in enumerate(sorted(ports.items())):
        container_ports += [
            {"name": f"l{i}", "containerPort": port, "protocol": "TCP"},
            {"name": f"admin{i}", "containerPort": admin, "protocol": "TCP"},
        ]
    probe = {"httpGet": {"path": "/healthz", "port": "admin0"}, "periodSeconds": 2}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": cfg.proxy.replicas,
            # One proxy pod at a time on a host-network node: the new one needs the old one's ports.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": own},
            "template": {
                "metadata": {"labels": own},
                "spec": {
                    **({"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"} if cfg.host_network else {}),
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": cfg.grace,
                    "containers": [
                        {
                            "name": "proxy",
                            "image": image,
                            "command": ["python3", f"{PEX_DIR}/{pex}"],
                            "env": [
                                {"name": "WEAVER_PROCLET", "value": "kube-proxy"},
                                {"name": LISTENERS_ENV, "value": listeners_env(ports)},
                                {"name": "WEAVER_KUBE_GRACE", "value": str(max(cfg.grace - 1, 0))},
                                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                            ],
                            "ports": container_ports,
                            "resources": {
                                "requests": {"cpu": cfg.proxy.cpu, "memory": cfg.proxy.memory},
                                "limits": {"memory": cfg.proxy.memory},
                            },
                            "readinessProbe": probe,
                            "livenessProbe": {**probe, "periodSeconds": 5, "failureThreshold": 3},
                            "volumeMounts": [{"name": "rollout", "mountPath": STATE_DIR, "readOnly": True}],
                        }
                    ],
                    "volumes": [{"name": "rollout", "configMap": {"name": state_name(app), "optional": True}}],
                },
            },
        },
    }
    services = []
    for listener, (port, _) in sorted(ports.items()):
        lc = cfg.listeners.get(listener)
        services.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {**meta, "name": dns_name(f"{app}-{listener}")},
                "spec": {
                    "type": "LoadBalancer" if lc is not None and lc.public else "ClusterIP",
                    "selector": own,
                    "ports": [{"name": "http", "port": lc.port if lc else 80, "protocol": "TCP", "targetPort": port}],
                },
            }
        )
    return [deployment, *services]
