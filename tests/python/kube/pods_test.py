"""Apps on the real node: `weaver kube image` and `apply`, pods Ready, requests crossing pods.

The PEXes are the ones `pants package` builds (runtime package dependencies of this test). Each
image is imported into the node's containerd; `weaver kube apply --wait` returns once every pod is
Ready. hello places each component in its own group, so a request to Main's listener calls Greeter
and Counter in two other pods: the reply's hops name the version each ran, and all must be this
one. The split boutique runs its 11 components in 11 pods and serves the scripted shopping session.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

import pytest

from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import run_session
from kube.deploying import free_run, host_network_section, weaver
from kube.rig import ROOT, Cluster
from weaver.deployers.kube import cluster
from weaver.internal.pexinfo import pex_sha256

HELLO = ROOT / "src.python.apps.hello" / "app.pex"
SPLIT_SHOP = ROOT / "deploy.boutique" / "split.pex"
READY_TIMEOUT = 300.0


def kube_toml(app_config: str, image: str, node: Cluster, groups: list[str], listener: str) -> tuple[str, int]:
    """The deployment config for the local node; returns it and the listener's port."""
    port = free_run(1)
    section = host_network_section(node, groups, listener, (free_run(len(groups)), free_run(len(groups)), port), image)
    return f"{app_config}\n{section}", port


def deploy(node: Cluster, pex: Path, app_config: str, groups: list[str], listener: str, tmp: Path) -> int:
    """Image, import and apply `pex` with every pod Ready; returns the listener's host port."""
    assert pex.is_file(), f"{pex}: the test's runtime package dependency is missing"
    started = time.monotonic()
    out = weaver("image", str(pex), "--out", str(tmp / "image.tar"), timeout=300)
    assert out.returncode == 0, out.stderr
    image = out.stdout.strip().splitlines()[-1]
    node.import_image(tmp / "image.tar")
    print(f"image {image}: written and imported in {time.monotonic() - started:.1f} s")
    text, port = kube_toml(app_config, image, node, groups, listener)
    (tmp / "kube.toml").write_text(text)
    started = time.monotonic()
    out = weaver("apply", str(pex), "--config", str(tmp / "kube.toml"), "--wait", str(READY_TIMEOUT),
                 "--kubeconfig", str(node.kubeconfig), timeout=READY_TIMEOUT + 60)
    assert out.returncode == 0, out.stdout + out.stderr
    print(f"weaver kube apply of {pex.name} to every pod Ready: {time.monotonic() - started:.1f} s")
    return port


def delete(node: Cluster, version: str) -> None:
    out = weaver("delete", version, "--wait", "120", "--kubeconfig", str(node.kubeconfig), timeout=180)
    assert out.returncode == 0, out.stderr


HELLO_CONFIG = """[weaver]
name = "hello"

[apps.hello.greeter.Greeter]
greeting = "Hello"
"""


@pytest.mark.timeout(1500)  # the node slot may be another test file's for minutes (rig.lock_node)
def test_hello_runs_on_the_node_and_every_hop_is_one_version(kube_node: Cluster, tmp_path: Path) -> None:
    version = pex_sha256(str(HELLO))
    port = deploy(kube_node, HELLO, HELLO_CONFIG, ["main", "greeter", "counter"], "hello", tmp_path)
    try:
        pods = cluster.pods(kube_node.client(), "default", cluster.selector("hello", version[:16]))
        assert len(pods) == 3 and all(map(cluster.ready, pods))
        assert {p["status"]["podIP"] for p in pods} == {"127.0.0.1"}  # the node's address (node.sh)

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello?name=Ada", timeout=30) as reply:
            body = json.loads(reply.read())
        assert body["text"] == "Hello, Ada!"
        assert [h["component"] for h in body["hops"]] == ["Main", "Greeter", "Counter"]
        assert {h["version"] for h in body["hops"]} == {version}

        out = weaver("logs", version, "--kubeconfig", str(kube_node.kubeconfig))
        assert out.returncode == 0, out.stderr
        assert "hello serving on http://" in out.stdout, out.stdout[-2000:]
    finally:
        delete(kube_node, version)


SHOP_CONFIG = """[weaver]
name = "boutique"
colocate = []
"""


@pytest.mark.timeout(1500)
def test_the_split_boutique_serves_a_shopping_session_from_eleven_pods(kube_node: Cluster, tmp_path: Path) -> None:
    version = pex_sha256(str(SPLIT_SHOP))
    manifest = json.loads(SPLIT_SHOP.with_name("split.manifest.json").read_text())
    groups = [c["name"].rsplit(".", 1)[-1].lower() for c in manifest["components"]]
    assert len(groups) == 11, groups
    port = deploy(kube_node, SPLIT_SHOP, SHOP_CONFIG, groups, "boutique", tmp_path)
    try:
        pods = cluster.pods(kube_node.client(), "default", cluster.selector("boutique", version[:16]))
        assert len(pods) == 11 and all(map(cluster.ready, pods))

        async def session() -> list[tuple[str, int, str]]:
            browser = HttpBrowser(f"http://127.0.0.1:{port}")
            try:
                return await run_session(browser)
            finally:
                await browser.close()

        started = time.monotonic()
        pages = asyncio.run(session())
        print(f"shopping session ({len(pages)} pages) on the cluster: {time.monotonic() - started:.2f} s")
        assert [(name, status) for name, status, _ in pages] == [(name, 200) for name, _, _ in pages]
        assert "Your order is complete" in dict((n, p) for n, _, p in pages)["checkout"]
    finally:
        delete(kube_node, version)
