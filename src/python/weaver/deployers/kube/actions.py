"""The cluster commands: `weaver kube apply|status|logs|delete`."""

from __future__ import annotations

import argparse
import queue
import re
import sys
import threading
import time
from typing import Any

from weaver.config import ConfigError
from weaver.deployers.kube import cluster
from weaver.deployers.kube.manifests import SHORT


def short_version(version: str) -> str:
    """The version's label value (the first 16 hex digits of its sha256)."""
    if not re.fullmatch(r"[0-9a-f]{16}([0-9a-f]{48})?", version):
        raise ConfigError(f"version {version!r}: give the sha256 or its first {SHORT} hex digits")
    return version[:SHORT]


def run_action(args: argparse.Namespace) -> int:
    """Run one cluster command; errors are printed, not raised."""
    try:
        return _ACTIONS[args.kube_command](args)
    except (ConfigError, cluster.KubeError) as e:
        print(f"weaver kube {args.kube_command}: {e}", file=sys.stderr)
        return 2


def _apply(args: argparse.Namespace) -> int:
    from weaver.deployers.kube.command import generate_objects

    objects = generate_objects(args.app, args.config)
    client = cluster.connect(args.kubeconfig)
    started = time.monotonic()
    for name in cluster.apply(client, objects, force=args.force):
        print(f"applied {name}")
    if args.wait > 0:
        meta = objects[0]["metadata"]
        labels = cluster.selector(meta["labels"][cluster.APP_LABEL], meta["labels"][cluster.VERSION_LABEL])
        want = {o["metadata"]["name"]: o["spec"].get("replicas", 1) for o in objects if o["kind"] == "Deployment"}
        n = wait_ready(client, meta["namespace"], labels, sum(want.values()), args.wait)
        print(f"{n} pod(s) Ready in {time.monotonic() - started:.1f} s")
    return 0


def wait_ready(client: Any, namespace: str, labels: dict[str, str], count: int, timeout: float) -> int:
    """Wait (on pod watch events) until `count` pods with `labels` are Ready; returns how many."""
    from lightkube.resources.core_v1 import Pod

    events: queue.Queue[tuple[str, dict[str, Any]] | BaseException] = queue.Queue()

    def watch() -> None:
        try:
            for kind, pod in client.watch(Pod, namespace=namespace, labels=labels):
                events.put((kind, pod.to_dict()))
        except BaseException as e:  # handed to the waiting thread
            events.put(e)

    threading.Thread(target=watch, daemon=True, name="weaver-kube-watch").start()
    deadline = time.monotonic() + timeout
    state: dict[str, dict[str, Any]] = {}

    def ready_count() -> int:
        return sum(map(cluster.ready, state.values()))

    while ready_count() < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise cluster.KubeError(
                f"{ready_count()} of {count} pod(s) Ready after {timeout:g} s ({_summary(state)})"
            )
        try:
            item = events.get(timeout=left)
        except queue.Empty:
            continue
        if isinstance(item, BaseException):
            raise cluster.KubeError(f"watching pods: {item}")
        kind, pod = item
        name = pod["metadata"]["name"]
        if kind == "DELETED":
            state.pop(name, None)
        else:
            state[name] = pod
    return ready_count()


def _summary(state: dict[str, dict[str, Any]]) -> str:
    """Each pod, Ready or why not."""
    parts = [f"{n} {'Ready' if cluster.ready(p) else 'not Ready: ' + cluster.not_ready_reason(p)}"
             for n, p in sorted(state.items())]
    return "; ".join(parts) or "no pods"


def _status(args: argparse.Namespace) -> int:
    client = cluster.connect(args.kubeconfig)
    labels = {cluster.VERSION_LABEL: short_version(args.version)}
    objects = list(cluster.owned(client, args.namespace, labels))
    if not objects:
        print(f"no objects of version {labels[cluster.VERSION_LABEL]} in namespace {args.namespace}")
        return 1
    for obj in objects:
        print(f"{obj['kind']}/{obj['metadata']['name']}")
    for pod in cluster.pods(client, args.namespace, labels):
        status = pod.get("status") or {}
        print(f"Pod/{pod['metadata']['name']} {status.get('phase', '?')} "
              f"{'Ready' if cluster.ready(pod) else 'not Ready'} {status.get('podIP') or '-'}")
    return 0


def _logs(args: argparse.Namespace) -> int:
    client = cluster.connect(args.kubeconfig)
    labels = {cluster.VERSION_LABEL: short_version(args.version)}
    from lightkube import ApiError

    for pod in cluster.pods(client, args.namespace, labels):
        name = pod["metadata"]["name"]
        try:
            for line in client.log(name, namespace=args.namespace, container="weaver"):
                sys.stdout.write(f"{name}: {line}")
        except ApiError as e:
            print(f"{name}: no logs ({e.status.message})", file=sys.stderr)
    return 0


def _delete(args: argparse.Namespace) -> int:
    client = cluster.connect(args.kubeconfig)
    labels = {cluster.VERSION_LABEL: short_version(args.version)}
    gone = cluster.delete(client, args.namespace, labels)
    if gone and args.wait > 0:
        cluster.wait_gone(client, args.namespace, labels, args.wait)
    for name in gone:
        print(f"deleted {name}")
    if not gone:
        print(f"no objects of version {labels[cluster.VERSION_LABEL]} in namespace {args.namespace}")
    return 0


_ACTIONS = {"apply": _apply, "status": _status, "logs": _logs, "delete": _delete}
