"""Replicas on the pod network: a Greeter pod deleted under load is replaced, and no call fails.

hello runs with its pods on the node's CNI bridge (each pod its own IP, so a group may have two
replicas on this one node), reaching the API server through the node's relay socket (`[kube]
api_socket`). Load goes from the host to Main's pod; one of the two Greeter pods is deleted while
it runs. Main's calls to Greeter are retriable, so they go to the other replica while the
Deployment starts a replacement, and routing follows the pods as they come and go.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from lightkube.resources.core_v1 import Pod

from e2e.rollout_load import Load
from kube.deploying import image, weaver
from kube.rig import ROOT, Cluster
from weaver.deployers.kube import cluster
from weaver.deployers.kube.watching import wait_listed
from weaver.internal.pexinfo import pex_sha256

HELLO = ROOT / "src.python.apps.hello" / "app.pex"
READY_TIMEOUT = 300.0


def kube_toml(node: Cluster, image_name: str) -> str:
    return f"""[weaver]
name = "hello"

[apps.hello.greeter.Greeter]
greeting = "Hello"

[kube]
namespace = "default"
image = "{image_name}"
api_socket = "{node.api_socket}"
grace = 5
[kube.groups.main]
replicas = 1
cpu = "100m"
[kube.groups.greeter]
replicas = 2
cpu = "100m"
[kube.groups.counter]
replicas = 1
cpu = "100m"
[kube.listeners.hello]
container_port = 8080
"""


def group_pods(node: Cluster, version: str, group: str) -> list[dict[str, Any]]:
    labels = {**cluster.selector("hello", version[:16]), "weaver.dev/group": group}
    return cluster.pods(node.client(), "default", labels)


@pytest.mark.timeout(1500)  # the node slot may be another test file's for minutes (rig.lock_node)
def test_a_replica_deleted_under_load_is_replaced_and_no_call_fails(kube_node: Cluster, tmp_path: Path) -> None:
    assert HELLO.is_file(), f"{HELLO}: the test's runtime package dependency is missing"
    version = pex_sha256(str(HELLO))
    (tmp_path / "kube.toml").write_text(kube_toml(kube_node, image(kube_node, HELLO, tmp_path)))
    started = time.monotonic()
    out = weaver("apply", str(HELLO), "--config", str(tmp_path / "kube.toml"), "--wait", str(READY_TIMEOUT),
                 "--kubeconfig", str(kube_node.kubeconfig), timeout=READY_TIMEOUT + 60)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    print(f"hello with 2 Greeter replicas on the pod network, every pod Ready: {time.monotonic() - started:.1f} s")
    try:
        greeters = group_pods(kube_node, version, "greeter")
        ips = {p["status"]["podIP"] for p in greeters}
        assert len(greeters) == 2 and all(map(cluster.ready, greeters)) and len(ips) == 2, ips
        assert all(ip.startswith("10.89.0.") for ip in ips), ips  # the bridge (node.sh), not the host
        (main,) = group_pods(kube_node, version, "main")
        address = f"{main['status']['podIP']}:8080"
        with urllib.request.urlopen(f"http://{address}/hello?name=Ada", timeout=30) as reply:
            body = json.loads(reply.read())
        assert body["text"] == "Hello, Ada!" and {h["version"] for h in body["hops"]} == {version}

        victim = greeters[0]["metadata"]["name"]
        with Load(address, fresh=3, pause=0.01, max_seconds=READY_TIMEOUT) as load:
            deadline = time.monotonic() + 60
            while load.count() < 50 and time.monotonic() < deadline:
                time.sleep(0.05)  # polls a count: bounded by the deadline
            deleted_at = time.time()
            kube_node.client().delete(Pod, victim, namespace="default")
            labels = {**cluster.selector("hello", version[:16]), "weaver.dev/group": "greeter"}

            def replaced(pods: dict[str, dict[str, Any]]) -> bool:
                ready = [n for n, p in pods.items() if cluster.ready(p) and not p["metadata"].get("deletionTimestamp")]
                return victim not in pods and len(ready) == 2

            wait_listed(kube_node.client(), Pod, "default", labels, replaced, 240)
            replaced_at = time.time()
            print(f"Greeter pod {victim} deleted; the replacement Ready and the old one gone in "
                  f"{replaced_at - deleted_at:.1f} s")
            goal = load.count() + 100
            deadline = time.monotonic() + 60
            while load.count() < goal and time.monotonic() < deadline:
                time.sleep(0.05)  # polls a count: bounded by the deadline
            results = load.stop()
        failed = [r for r in results if r.status != 200 or r.error or r.hops != {version}]
        during = [r for r in results if deleted_at <= r.at <= replaced_at]
        after = [r for r in results if r.at > replaced_at]
        print(f"REPLICA DELETED UNDER LOAD: {len(results)} requests, {len(during)} while the pod was replaced, "
              f"{len(after)} after, {len(failed)} failed")
        assert failed == [], failed[:5]
        assert len(during) > 0 and len(after) >= 100
        names = {p["metadata"]["name"] for p in group_pods(kube_node, version, "greeter")}
        assert victim not in names and len(names) == 2
    finally:
        out = weaver("delete", version, "--wait", "120", "--kubeconfig", str(kube_node.kubeconfig), timeout=180)
        assert out.returncode == 0, out.stderr
