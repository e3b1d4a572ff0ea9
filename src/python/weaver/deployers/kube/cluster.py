"""A version's objects on a cluster: server-side apply, read back, delete (through lightkube).

lightkube is imported inside the functions only: its models do not import from a packed PEX,
and `weaver.cli` (which the code generator tool runs) imports this package's command module.
The kubeconfig is the usual one (`KUBECONFIG`, else `~/.kube/config`, else in-cluster).
Each kind's API version is the newest one the server's discovery offers among those weaver
writes (a 1.20 cluster serves HPAs as autoscaling/v2beta2 and PDBs as policy/v1beta1).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

FIELD_MANAGER = "weaver"
APP_LABEL = "weaver.dev/app"
VERSION_LABEL = "weaver.dev/version"


@dataclass(frozen=True)
class Kind:
    """One kind weaver writes: its API group, plural and the versions it can write, newest first."""

    kind: str
    group: str
    plural: str
    versions: tuple[str, ...]


KINDS = {
    k.kind: k
    for k in (
        Kind("ServiceAccount", "", "serviceaccounts", ("v1",)),
        Kind("Role", "rbac.authorization.k8s.io", "roles", ("v1",)),
        Kind("RoleBinding", "rbac.authorization.k8s.io", "rolebindings", ("v1",)),
        Kind("ConfigMap", "", "configmaps", ("v1",)),
        Kind("Deployment", "apps", "deployments", ("v1",)),
        Kind("PodDisruptionBudget", "policy", "poddisruptionbudgets", ("v1", "v1beta1")),
        Kind("HorizontalPodAutoscaler", "autoscaling", "horizontalpodautoscalers", ("v2", "v2beta2")),
        Kind("Service", "", "services", ("v1",)),
    )
}
DELETE_ORDER = ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Deployment", "ConfigMap",
                "RoleBinding", "Role", "ServiceAccount")


class KubeError(Exception):
    """A cluster call failed; the message names the object and, for conflicts, the fields."""


def connect(kubeconfig: str | None = None) -> Any:
    """A lightkube Client from `kubeconfig` (a path) or the usual places."""
    from weaver.deployers.kube import lightkube_import

    lightkube_import.load()
    from lightkube import Client, KubeConfig
    from lightkube.core.exceptions import ConfigError as LightkubeConfigError

    try:
        config = KubeConfig.from_file(kubeconfig) if kubeconfig else KubeConfig.from_env()
    except (LightkubeConfigError, OSError) as e:
        raise KubeError(f"kubeconfig {kubeconfig or '(KUBECONFIG, ~/.kube/config)'}: {e}") from None
    return Client(config, field_manager=FIELD_MANAGER)


def served_versions(client: Any) -> dict[str, list[str]]:
    """API group -> the versions the server serves ("" is the core group)."""
    http = client._client._client  # lightkube's httpx client: discovery has no typed call
    groups: dict[str, list[str]] = {"": ["v1"]}
    resp = http.get("/apis")
    resp.raise_for_status()
    for g in resp.json().get("groups", []):
        groups[g["name"]] = [v["version"] for v in g.get("versions", [])]
    return groups


def pick_versions(served: dict[str, list[str]]) -> dict[str, str]:
    """Kind -> the apiVersion to write it as: the newest weaver writes that the server serves."""
    out: dict[str, str] = {}
    for k in KINDS.values():
        have = served.get(k.group, [])
        for v in k.versions:
            if v in have:
                out[k.kind] = f"{k.group}/{v}" if k.group else v
                break
    return out


def convert(obj: dict[str, Any], api_version: str) -> dict[str, Any]:
    """`obj` written as `api_version` (only the HPA changes shape: v2beta2 has the same fields)."""
    return {**obj, "apiVersion": api_version}


def _resource(kind: str, api_version: str) -> Any:
    """lightkube's class for `kind` as `api_version`: its typed model if it has one, else generic."""
    from lightkube.core.exceptions import LoadResourceError
    from lightkube.core.resource_registry import resource_registry
    from lightkube.generic_resource import create_namespaced_resource

    try:
        return resource_registry.load(api_version, kind)
    except (LoadResourceError, ImportError, AttributeError):
        k = KINDS[kind]
        return create_namespaced_resource(k.group, api_version.rsplit("/", 1)[-1], kind, k.plural)


def apply(client: Any, objects: Iterable[dict[str, Any]], *, force: bool = False) -> list[str]:
    """Server-side apply of `objects` in order; returns 'Kind/name' of each."""
    from lightkube import ApiError

    versions = pick_versions(served_versions(client))
    done: list[str] = []
    for obj in objects:
        kind = obj.get("kind", "?")
        name = obj.get("metadata", {}).get("name", "?")
        if kind not in versions:
            raise KubeError(f"{kind}/{name}: the server serves none of {', '.join(KINDS[kind].versions)}"
                            if kind in KINDS else f"{kind}/{name}: weaver does not write this kind")
        body = convert(obj, versions[kind])
        res = _resource(kind, versions[kind])
        try:
            client.apply(res.from_dict(body), field_manager=FIELD_MANAGER, force=force)
        except ApiError as e:
            raise KubeError(f"{kind}/{name}: {_describe(e)}") from None
        done.append(f"{kind}/{name}")
    return done


def _describe(e: Any) -> str:
    status = e.status
    causes = [c.message or c.field for c in (status.details.causes or [])] if status.details else []
    text = status.message or str(e)
    if causes and not all(c in text for c in causes if c):
        text += " (" + "; ".join(c for c in causes if c) + ")"
    return f"{status.reason or status.code}: {text}"


def selector(app: str, version: str | None = None) -> dict[str, str]:
    """Labels of an app's objects (all versions, or one version's short id)."""
    labels = {APP_LABEL: app}
    if version:
        labels[VERSION_LABEL] = version
    return labels


def owned(client: Any, namespace: str, labels: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every object of the kinds weaver writes carrying `labels`, as dicts, in delete order."""
    versions = pick_versions(served_versions(client))
    for kind in DELETE_ORDER:
        if kind not in versions:
            continue
        for item in client.list(_resource(kind, versions[kind]), namespace=namespace, labels=labels):
            d = item.to_dict()
            d.setdefault("kind", kind)
            d.setdefault("apiVersion", versions[kind])
            yield d


def delete(client: Any, namespace: str, labels: dict[str, str]) -> list[str]:
    """Delete every object carrying `labels` (foreground for Deployments: no orphaned pods)."""
    from lightkube import ApiError
    from lightkube.types import CascadeType

    versions = pick_versions(served_versions(client))
    gone: list[str] = []
    for obj in list(owned(client, namespace, labels)):
        kind, name = obj["kind"], obj["metadata"]["name"]
        try:
            client.delete(_resource(kind, versions[kind]), name, namespace=namespace, cascade=CascadeType.FOREGROUND)
        except ApiError as e:
            if e.status.code != 404:
                raise KubeError(f"{kind}/{name}: {_describe(e)}") from None
        gone.append(f"{kind}/{name}")
    return gone


def wait_gone(client: Any, namespace: str, labels: dict[str, str], timeout: float) -> None:
    """Wait until the Deployments, ReplicaSets and pods carrying `labels` are gone (foreground GC)."""
    from lightkube.resources.apps_v1 import Deployment, ReplicaSet
    from lightkube.resources.core_v1 import Pod

    from weaver.deployers.kube.watching import wait_listed

    deadline = time.monotonic() + timeout
    for res in (Deployment, ReplicaSet, Pod):
        try:
            wait_listed(client, res, namespace, labels, lambda s: not s, max(0.0, deadline - time.monotonic()))
        except TimeoutError as e:
            raise KubeError(str(e)) from None


def pods(client: Any, namespace: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """The pods carrying `labels`, as dicts."""
    from lightkube.resources.core_v1 import Pod

    return [p.to_dict() for p in client.list(Pod, namespace=namespace, labels=labels)]


def ready(pod: dict[str, Any]) -> bool:
    """Whether a pod (as a dict) is Running with its Ready condition True."""
    status = pod.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return status.get("phase") == "Running" and conditions.get("Ready") == "True"


def not_ready_reason(pod: dict[str, Any]) -> str:
    """Why a pod is not Ready, from its status: a container's waiting or last exit, else its conditions."""
    status = pod.get("status") or {}
    reasons = []
    for c in status.get("containerStatuses") or []:
        state, last = c.get("state") or {}, c.get("lastState") or {}
        waiting, ended = state.get("waiting"), last.get("terminated")
        if waiting:
            reasons.append(f"{c.get('name')} waiting ({waiting.get('reason')}: {waiting.get('message') or '-'})")
        if ended:
            reasons.append(f"{c.get('name')} last exited {ended.get('exitCode')} ({ended.get('reason')}), "
                           f"{c.get('restartCount', 0)} restart(s)")
        if not waiting and not ended and not c.get("ready"):
            reasons.append(f"{c.get('name')} running, probes not passed yet")
    if not reasons:
        for cond in status.get("conditions") or []:
            if cond.get("status") != "True":
                reasons.append(f"{cond.get('type')}: {cond.get('reason') or ''} {cond.get('message') or ''}".strip())
    return ", ".join(reasons) or f"phase {status.get('phase', 'unknown')}"
