"""`weaver kube rollout` on the real node: versions shift under load through the proxy Deployment.

Builds of hello that differ in their greeting (so in their sha256) get an image each, imported
into the node. The first rollout is a first deployment (it creates the proxy); the second shifts
traffic from v1 to v2 while clients call through the proxy's port, one of them pinned by its
cookie. Its controller is killed mid-rollout; the next `weaver kube rollout` of v2 resumes it
from the state in the cluster. Nothing fails, every call chain stays in one version, the pinned
session moves only when v1 is gone, and v1's objects are deleted at the end. Then a broken build
(Greeter raises) fails its health gate: it is rolled back and v2's pods are untouched.

The boutique (deploy/boutique/default.toml's 5 groups, carts in a real redis-server on the host)
goes v1 -> v2 the same way while shoppers fill carts; a shopper pinned to v1 keeps reading its
cart, and finds it on v2 once v1 is gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from lightkube.resources.core_v1 import ConfigMap

from e2e.rollout_builds import build_hello, build_shop
from e2e.rollout_load import Load
from e2e.rollout_rig import Build, Weaver
from e2e.shoppers import CART, Shopper, Traffic
from kube.cpu import browse, containers_cpu_s, tree_cpu_s
from kube.deploying import free_run, host_network_section, image, weaver
from kube.rig import ROOT, SRC_ROOT, Cluster
from support.redis_server import redis_server
from weaver.deployers.kube import cluster
from weaver.deployers.kube.manifests import AppSpec
from weaver.deployers.kube.proxyobjects import labels as proxy_labels
from weaver.deployers.kube.proxyobjects import state_name
from weaver.deployers.kube.watching import wait_listed
from weaver.kuberollout.deployer import PORT_STRIDE
from weaver.rollout.proxyhost import read_info
from weaver.rollout.state import RolloutState
from weaver.runtime import status

ROLLOUT_TIMEOUT = 400.0
SPLIT_SHOP = ROOT / "deploy.boutique" / "split.pex"
"""Pants-built: the shop's requirements for every Python the lockfile allows (rollout_builds)."""
GATE = ["--warmup-requests", "5", "--min-requests", "20", "--drain-idle", "1s", "--drain-timeout", "30s",
        "--start-timeout", "240s", "--stop-grace", "2s", "--hold-timeout", "60s"]  # fmt: skip


def kube_toml(node: Cluster, manifest: Path, listener: str = "hello") -> tuple[str, int]:
    """The deployment config: host network, one replica per group, ports clear for two versions;
    returns it and the proxy's port."""
    groups = list(AppSpec(json.loads(manifest.read_text()), str(manifest)).groups)
    strides = (0, PORT_STRIDE, 2 * PORT_STRIDE)
    rpc, health = (free_run(len(groups), strides) for _ in range(2))
    proxy, admin = free_run(1), free_run(1)
    section = host_network_section(node, groups, listener, (rpc, health, free_run(1, strides)))
    return f"{section}proxy_port = {proxy}\n[kube.proxy]\nadmin_port = {admin}\ncpu = \"50m\"\n", proxy


class Rollouts:
    """`weaver kube rollout` of hello builds on one node, with the controller's state under `tmp`."""

    def __init__(self, node: Cluster, tmp: Path, app: str = "hello") -> None:
        self.node, self.tmp, self.app = node, tmp, app
        self.env = {**os.environ, "WEAVER_STATE_DIR": str(tmp / "state")}
        self.client = node.client()
        self.builds: dict[str, tuple[Path, Path]] = {}

    def build(self, greeting: str, broken: bool = False) -> str:
        return self.add(*build_hello(self.tmp / "builds", greeting, broken=broken))

    def add(self, pex: Path, manifest: Path) -> str:
        """Image a build into the node; its version."""
        image(self.node, pex, self.tmp)
        version = str(json.loads(manifest.read_text())["version"])
        self.builds[version] = (pex, manifest)
        return version

    def argv(self, version: str, *flags: str) -> list[str]:
        pex, _ = self.builds[version]
        return ["rollout", str(pex), "--config", str(self.tmp / "kube.toml"),
                "--kubeconfig", str(self.node.kubeconfig), *GATE, *flags]  # fmt: skip

    def run(self, version: str, *flags: str) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        out = weaver(*self.argv(version, *flags), timeout=ROLLOUT_TIMEOUT, env=self.env)
        print(f"weaver kube rollout of {version[:12]}: exit {out.returncode} in {time.monotonic() - started:.1f} s")
        return out

    def start(self, version: str, *flags: str) -> subprocess.Popen[str]:
        argv = [sys.executable, "-m", "weaver", "kube", *self.argv(version, *flags)]
        return subprocess.Popen(argv, cwd=SRC_ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)  # fmt: skip

    def state(self) -> RolloutState:
        cm = self.client.get(ConfigMap, state_name(self.app), namespace="default")
        return msgspec.json.decode(str((cm.data or {})["state.json"]), type=RolloutState)

    def wait_state(self, done: Any, timeout: float) -> RolloutState:
        """Wait (on ConfigMap watch events) until the saved state satisfies `done`."""

        def saved(items: dict[str, dict[str, Any]]) -> bool:
            cm = items.get(state_name(self.app))
            text = str(((cm or {}).get("data") or {}).get("state.json") or "")
            return bool(text) and bool(done(msgspec.json.decode(text, type=RolloutState)))

        wait_listed(self.client, ConfigMap, "default", proxy_labels(self.app), saved, timeout)
        return self.state()

    def objects(self, version: str) -> list[str]:
        found = cluster.owned(self.client, "default", cluster.selector(self.app, version[:16]))
        return [f"{o['kind']}/{o['metadata']['name']}" for o in found]

    def pods(self, version: str) -> dict[str, tuple[str, int]]:
        """Pod name -> (uid, restarts) of the version."""
        pods = cluster.pods(self.client, "default", cluster.selector(self.app, version[:16]))
        return {
            p["metadata"]["name"]: (p["metadata"]["uid"], sum(c.get("restartCount", 0)
                                    for c in p["status"].get("containerStatuses") or []))
            for p in pods
        }  # fmt: skip

    def clean(self) -> None:
        for version in self.builds:
            cluster.delete(self.client, "default", cluster.selector(self.app, version[:16]))
        cluster.delete(self.client, "default", proxy_labels(self.app))
        cluster.wait_gone(self.client, "default", cluster.selector(self.app), 180)


@pytest.fixture
def rollouts(kube_node: Cluster, tmp_path: Path) -> Iterator[Rollouts]:
    r = Rollouts(kube_node, tmp_path)
    try:
        yield r
    finally:
        r.clean()


def greet(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello?name=Ada", timeout=30) as reply:
        return dict(json.loads(reply.read()))


@pytest.mark.timeout(2400)  # the node slot may be another test file's for minutes (rig.lock_node)
def test_rollout_under_load_survives_a_killed_controller_and_a_broken_build_rolls_back(rollouts: Rollouts) -> None:
    v1 = rollouts.build("Hello")
    text, port = kube_toml(rollouts.node, rollouts.builds[v1][1])
    (rollouts.tmp / "kube.toml").write_text(text)
    v2, v3 = rollouts.build("Howdy"), rollouts.build("Broken", broken=True)

    first = rollouts.run(v1, "--steps", "100", "--duration", "1s")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "done" in first.stdout and rollouts.state().live == v1
    reply = greet(port)
    assert reply["text"] == "Hello, Ada!" and {h["version"] for h in reply["hops"]} == {v1}

    with Load(f"127.0.0.1:{port}", fresh=2, pause=0.02, max_seconds=ROLLOUT_TIMEOUT) as load:
        started = time.monotonic()
        controller = rollouts.start(v2, "--steps", "20,50,100", "--duration", "24s")
        try:
            shifting = rollouts.wait_state(lambda s: s.new == v2 and s.phase == "shifting" and s.step >= 1, 300)
        finally:
            controller.send_signal(signal.SIGKILL)
            killed_output = controller.communicate(timeout=30)[0]
        print(f"controller killed in step {shifting.step + 1} ({time.monotonic() - started:.1f} s after it started)")
        resumed = rollouts.run(v2, "--steps", "20,50,100", "--duration", "24s")
        assert resumed.returncode == 0, killed_output + resumed.stdout + resumed.stderr
        assert "resuming the unfinished rollout" in resumed.stdout, resumed.stdout
        print(f"rollout v1 -> v2 with a controller killed and resumed: {time.monotonic() - started:.1f} s")
        results = load.stop()

    failed = [r for r in results if not r.ok]
    assert failed == [], failed[:5]  # zero failed requests, each call chain in the version that served it
    assert {r.version for r in results if r.session.startswith("fresh")} == {v1, v2}
    pinned = [r for r in results if r.session == "pinned"]
    switch = next(i for i, r in enumerate(pinned) if r.version == v2)
    assert {r.version for r in pinned[:switch]} == {v1} and {r.version for r in pinned[switch:]} == {v2}
    assert pinned[switch].repinned_from == v1  # moved only when v1 was drained and deleted
    state = rollouts.state()
    assert (state.phase, state.live, state.running()) == ("done", v2, [v2])
    assert rollouts.objects(v1) == []
    print(f"KUBE ROLLOUT: {len(results)} requests, {sum(r.version == v1 for r in results)} by v1, "
          f"{sum(r.version == v2 for r in results)} by v2, none failed; pinned session moved at request {switch}")

    before = rollouts.pods(v2)
    with Load(f"127.0.0.1:{port}", fresh=2, pause=0.02, max_seconds=ROLLOUT_TIMEOUT) as load:
        broken = rollouts.run(v3, "--steps", "50,100", "--duration", "60s")
        results = load.stop()
    assert broken.returncode == 3, broken.stdout + broken.stderr
    assert "ROLLED BACK" in broken.stderr, broken.stderr
    state = rollouts.state()
    assert (state.phase, state.live, state.running()) == ("rolled_back", v2, [v2])
    assert rollouts.pods(v2) == before  # the same pods, not restarted
    assert rollouts.objects(v3) == []
    assert {r.version for r in results if not r.ok} <= {v3}  # only the broken build failed requests
    assert greet(port)["text"] == "Howdy, Ada!"


@pytest.fixture
def shop_rollouts(kube_node: Cluster, tmp_path: Path) -> Iterator[Rollouts]:
    r = Rollouts(kube_node, tmp_path, "boutique")
    try:
        yield r
    finally:
        r.clean()


@pytest.mark.timeout(2400)
def test_the_boutique_rolls_out_under_load_and_the_pinned_cart_survives(shop_rollouts: Rollouts) -> None:
    r = shop_rollouts
    with redis_server() as redis:
        v1 = r.add(*build_shop(r.tmp / "builds", "v1", redis.address, repository=SPLIT_SHOP))
        v2 = r.add(*build_shop(r.tmp / "builds", "v2", redis.address, repository=SPLIT_SHOP))
        text, port = kube_toml(r.node, r.builds[v1][1], "boutique")
        (r.tmp / "kube.toml").write_text(text)
        first = r.run(v1, "--steps", "100", "--duration", "1s")
        assert first.returncode == 0, first.stdout + first.stderr
        address = f"127.0.0.1:{port}"
        pinned = Shopper(address, "pinned")
        for pid, quantity in CART.items():
            assert pinned.go("POST", "/cart", f"product_id={pid}&quantity={quantity}").status == 302
        before = pinned.go("GET", "/cart")
        assert (before.version, before.cart) == (v1, CART), before
        started = time.monotonic()
        with Traffic(address, pinned, max_seconds=ROLLOUT_TIMEOUT) as traffic:
            done = r.run(v2, "--steps", "50,100", "--duration", "16s", "--warmup-path", "/")
        assert done.returncode == 0, done.stdout + done.stderr
        print(f"boutique rollout v1 -> v2 on the node: {time.monotonic() - started:.1f} s")
        after = pinned.go("GET", "/cart")
        compare_cpu(r, v2, address)
    assert (after.version, after.cart) == (v2, CART), after
    pages = traffic.pages
    assert [p for p in pages if not p.ok] == []  # zero failed requests; every page rendered by its version
    assert {p.version for p in pages if p.session.startswith("fresh")} == {v1, v2}
    reads = [p for p in pages if p.session == "pinned"]
    assert all(p.cart == CART for p in reads)
    switch = next(i for i, p in enumerate(reads) if p.version == v2)
    assert {p.version for p in reads[:switch]} == {v1} and {p.version for p in reads[switch:]} == {v2}
    assert reads[switch].repinned_from == v1
    assert r.objects(v1) == [] and r.state().running() == [v2]
    by = {v: sum(1 for p in pages if p.version == v) for v in (v1, v2)}
    print(f"KUBE BOUTIQUE rollout: {len(pages)} pages, {by[v1]} by v1 and {by[v2]} by v2, none failed; "
          f"the pinned cart read {len(reads)} times, re-pinned at read {switch}")


WARM_VISITS, VISITS = 10, 50


def compare_cpu(r: Rollouts, version: str, address: str) -> None:
    """Print the shop's CPU per page on the node (every container) and under `weaver multi` (the
    manager's and the proxy's process trees), one shopper at a time through each one's proxy."""
    browse(address, WARM_VISITS)
    before = containers_cpu_s()
    pages = browse(address, VISITS)
    on_node = (containers_cpu_s() - before) / pages
    multi = Weaver(r.tmp / "multi", app="boutique")
    try:
        done = multi.deploy(Build(*r.builds[version]), "--steps", "100", "--duration", "1s", "--start-timeout", "120s")
        assert done.returncode == 0, done.stdout + done.stderr
        st, proxy = status.read(multi.paths.status(version)), read_info(multi.paths)
        assert st is not None and proxy is not None
        browse(multi.address, WARM_VISITS)
        before = tree_cpu_s([st.manager_pid, proxy.pid])
        pages = browse(multi.address, VISITS)
        local = (tree_cpu_s([st.manager_pid, proxy.pid]) - before) / pages
    finally:
        multi.close()
    print(f"BOUTIQUE CPU per page, {pages} pages one shopper at a time: on the node {on_node * 1000:.2f} ms "
          f"(the version's pods and the proxy pod), under weaver multi {local * 1000:.2f} ms (manager, replicas "
          f"and proxy); node / multi = {on_node / local:.2f}")
