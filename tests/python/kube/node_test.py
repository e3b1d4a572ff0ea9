"""The node: a pod from the locally made Python base image runs and becomes Ready (kubelet, containerd, runc)."""

from __future__ import annotations

import socket
import time
import urllib.request
import uuid

from lightkube.resources.core_v1 import Pod

from kube.rig import Cluster
from weaver.deployers.kube import cluster
from weaver.deployers.kube.watching import wait_listed

READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_host_network_pod_from_the_base_image_runs_and_is_ready(kube_node: Cluster, base_image: str) -> None:
    client = kube_node.client()
    port, name = free_port(), f"py-{uuid.uuid4().hex[:8]}"
    labels = {"weaver.dev/test": name}
    probe = {"httpGet": {"path": "/", "port": port, "host": "127.0.0.1"}, "periodSeconds": 1}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {
            "hostNetwork": True,
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {
                    "name": "py",
                    "image": base_image,
                    "imagePullPolicy": "Never",
                    "command": ["python3", "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                    "ports": [{"containerPort": port, "protocol": "TCP"}],
                    "readinessProbe": probe,
                }
            ],
        },
    }
    started = time.monotonic()
    client.create(Pod.from_dict(pod))
    try:
        state = wait_listed(
            client, Pod, "default", labels, lambda s: any(map(cluster.ready, s.values())), READY_TIMEOUT
        )
        print(f"pod Ready {time.monotonic() - started:.1f} s after it was created")
        assert state[name]["status"]["phase"] == "Running"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
            assert reply.status == 200
    finally:
        client.delete(Pod, name, namespace="default", grace_period=0)
        wait_listed(client, Pod, "default", labels, lambda s: not s, 60)
