"""hello on the real node: `weaver kube image` and `apply`, pods Ready, one request crossing three pods.

The PEX is the one `pants package` builds (a runtime package dependency of this test). Its image is
imported into the node's containerd; `weaver kube apply --wait` returns once every pod is Ready.
hello places each component in its own group, so a request to Main's listener calls Greeter and
Counter in two other pods: the reply's hops name the version each ran, and all must be this one.
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kube.rig import ROOT, SRC_ROOT, Cluster
from weaver.deployers.kube import cluster
from weaver.internal.pexinfo import pex_sha256

PEX = ROOT / "src.python.apps.hello" / "app.pex"
GROUPS = 3
READY_TIMEOUT = 240.0


def free_run(count: int) -> int:
    """A port P such that P .. P+count-1 are free on 127.0.0.1 now (host-network pods bind them)."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        socks = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports found")


def weaver(kube_node: Cluster, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "weaver", "kube", *args], cwd=SRC_ROOT, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def kube_toml(image: str, api_server: str) -> tuple[str, int]:
    """hello's deployment config for the local node; returns it and the listener's port."""
    rpc, health, listener = free_run(GROUPS), free_run(GROUPS), free_run(1)
    return f"""[weaver]
name = "hello"

[apps.hello.greeter.Greeter]
greeting = "Hello"

[kube]
namespace = "default"
image = "{image}"
host_network = true
api_server = "{api_server}"
rpc_port = {rpc}
health_port = {health}
grace = 5
# One replica per group: host-network pods of one group share their ports, so a second one on
# this one node would stay Pending ("didn't have free ports").
[kube.groups.main]
replicas = 1
[kube.groups.greeter]
replicas = 1
[kube.groups.counter]
replicas = 1
[kube.listeners.hello]
container_port = {listener}
""", listener


@pytest.mark.timeout(1500)  # the node slot may be another test file's for minutes (rig.lock_node)
def test_hello_runs_on_the_node_and_every_hop_is_one_version(kube_node: Cluster, tmp_path: Path) -> None:
    assert PEX.is_file(), f"{PEX}: the test's runtime package dependency is missing"
    version = pex_sha256(str(PEX))
    started = time.monotonic()
    out = weaver(kube_node, "image", str(PEX), "--out", str(tmp_path / "hello.tar"), timeout=300)
    assert out.returncode == 0, out.stderr
    image = out.stdout.strip().splitlines()[-1]
    kube_node.import_image(tmp_path / "hello.tar")
    print(f"image {image}: written and imported in {time.monotonic() - started:.1f} s")

    text, port = kube_toml(image, kube_node.server.removeprefix("https://"))
    (tmp_path / "kube.toml").write_text(text)
    kubeconfig = ["--kubeconfig", str(kube_node.kubeconfig)]
    started = time.monotonic()
    out = weaver(kube_node, "apply", str(PEX), "--config", str(tmp_path / "kube.toml"),
                 "--wait", str(READY_TIMEOUT), *kubeconfig, timeout=READY_TIMEOUT + 60)
    assert out.returncode == 0, out.stdout + out.stderr
    print(f"weaver kube apply to every pod Ready: {time.monotonic() - started:.1f} s")
    try:
        pods = cluster.pods(kube_node.client(), "default", cluster.selector("hello", version[:16]))
        assert len(pods) == GROUPS and all(map(cluster.ready, pods))
        assert {p["status"]["podIP"] for p in pods} == {"127.0.0.1"}  # the node's address (node.sh)

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello?name=Ada", timeout=30) as reply:
            body = json.loads(reply.read())
        assert body["text"] == "Hello, Ada!"
        assert [h["component"] for h in body["hops"]] == ["Main", "Greeter", "Counter"]
        assert {h["version"] for h in body["hops"]} == {version}

        out = weaver(kube_node, "logs", version, *kubeconfig)
        assert out.returncode == 0, out.stderr
        assert "hello serving on http://" in out.stdout, out.stdout[-2000:]
    finally:
        out = weaver(kube_node, "delete", version, "--wait", "120", *kubeconfig, timeout=180)
        assert out.returncode == 0, out.stderr
