"""The in-pod view of a version's replicas: list and watch its pods through the API server.

Standard library only (the app's PEX does not carry lightkube): in-cluster credentials (the
service account's token and CA under /var/run/secrets/kubernetes.io/serviceaccount, the API
server at KUBERNETES_SERVICE_HOST:PORT), `GET .../pods?labelSelector=app,version` then a watch
from the list's resourceVersion, reconnecting when the stream ends. Only Ready pods with the same
app AND version labels count: a version never routes to another version.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("weaver.kube")

ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")
APP_LABEL, VERSION_LABEL, GROUP_LABEL = "weaver.dev/app", "weaver.dev/version", "weaver.dev/group"


@dataclass(frozen=True)
class Peer:
    """One Ready pod of the version: its group's components and its rpc address."""

    group: str
    components: tuple[str, ...]
    address: str


def peer(pod: dict[str, Any]) -> Peer | None:
    """The pod as a routing target, or None unless it is Ready, not terminating and has an IP."""
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    if meta.get("deletionTimestamp") or conditions.get("Ready") != "True" or not status.get("podIP"):
        return None
    container = (pod.get("spec") or {}).get("containers", [{}])[0]
    env = {e.get("name"): e.get("value") for e in container.get("env") or []}
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    if "rpc" not in ports or not env.get("WEAVER_KUBE_COMPONENTS"):
        return None
    components = tuple(str(env["WEAVER_KUBE_COMPONENTS"]).split(","))
    return Peer(str((meta.get("labels") or {}).get(GROUP_LABEL, "")), components, f"tcp://{status['podIP']}:{ports['rpc']}")


def routing(pods: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Component -> the rpc addresses of the Ready pods hosting it (sorted: stable pushes)."""
    out: dict[str, list[str]] = {}
    for pod in pods.values():
        p = peer(pod)
        if p is not None:
            for c in p.components:
                out.setdefault(c, []).append(p.address)
    return {c: sorted(a) for c, a in sorted(out.items())}


class PodWatcher:
    """Keeps `pods` (name -> pod) current in a thread; calls `changed()` after every event."""

    def __init__(self, namespace: str, app: str, version: str, changed: Callable[[], None]) -> None:
        self.namespace = namespace
        self.selector = f"{APP_LABEL}={app},{VERSION_LABEL}={version}"
        self.changed = changed
        self.pods: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        host, port = os.environ.get("KUBERNETES_SERVICE_HOST", ""), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        if not host:
            raise RuntimeError("not in a pod: KUBERNETES_SERVICE_HOST is not set")
        self.host, self.port = host, int(port)
        self.context = ssl.create_default_context(cafile=str(ACCOUNT / "ca.crt"))

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="weaver-kube-podwatch").start()

    def stop(self) -> None:
        self.stopped.set()

    def _get(self, query: dict[str, str], timeout: float) -> http.client.HTTPResponse:
        token = (ACCOUNT / "token").read_text().strip()
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=timeout)
        path = f"/api/v1/namespaces/{self.namespace}/pods?" + urllib.parse.urlencode(query)
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        reply = conn.getresponse()
        if reply.status != 200:
            raise OSError(f"GET {path}: HTTP {reply.status}: {reply.read(300)!r}")
        return reply

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                listed = json.load(self._get({"labelSelector": self.selector}, 30))
                with self.lock:
                    self.pods = {p["metadata"]["name"]: p for p in listed.get("items") or []}
                self.changed()
                version = listed["metadata"]["resourceVersion"]
                watch = {"labelSelector": self.selector, "watch": "1", "resourceVersion": version,
                         "timeoutSeconds": "240"}
                reply = self._get(watch, 300)
                while not self.stopped.is_set() and (line := reply.readline()):
                    event = json.loads(line)
                    pod = event.get("object") or {}
                    name = (pod.get("metadata") or {}).get("name")
                    if event.get("type") == "ERROR" or not name:
                        break  # e.g. 410 Gone: list again
                    with self.lock:
                        if event.get("type") == "DELETED":
                            self.pods.pop(name, None)
                        else:
                            self.pods[name] = pod
                    self.changed()
            except (OSError, ValueError, KeyError) as e:
                log.warning("watching pods (%s): %s; again in 1 s", self.selector, e)
                self.stopped.wait(1.0)
            time.sleep(0)

    def routing(self) -> dict[str, list[str]]:
        with self.lock:
            return routing(self.pods)
