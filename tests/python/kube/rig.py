"""Start and stop the local cluster through deploy/kube/cluster.sh; helpers for the tests."""

from __future__ import annotations

import fcntl
import os
import pwd
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SRC_ROOT = ROOT / "src" / "python"
SCRIPT = ROOT / "deploy" / "kube" / "cluster.sh"
BUILD_TIMEOUT = 1500.0
START_TIMEOUT = 180.0
NODE_LOCK = Path("/run/weaver-kube-node.lock")
NODE_WAIT = 1200.0
"""How long a test file waits for another's node: the kube test files each run a session cluster."""


def script_env() -> dict[str, str]:
    """The script's environment: a cache under the user's home (the test sandbox has no HOME)."""
    env = dict(os.environ)
    home = env.get("HOME") or pwd.getpwuid(os.getuid()).pw_dir
    env.setdefault("HOME", home)
    env.setdefault("WEAVER_KUBE_CACHE", str(Path(home) / ".cache" / "weaver-kube"))
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return env


def unavailable(reason: str) -> None:
    """Skip with the reason printed; under CI=true, fail instead."""
    print(f"skipped: {reason}", file=sys.stderr)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must not skip the Kubernetes tests)")
    pytest.skip(reason)


def build() -> None:
    """Build (or reuse) the Kubernetes binaries; skip or fail with the script's reason."""
    out = subprocess.run(
        ["bash", str(SCRIPT), "build"], env=script_env(), capture_output=True, text=True,
        timeout=BUILD_TIMEOUT, check=False,
    )
    if out.returncode != 0:
        tail = "\n".join(out.stderr.strip().splitlines()[-5:])
        unavailable(f"cluster.sh build failed: {tail}")


@dataclass
class Cluster:
    """A running control plane: its state directory and kubeconfig."""

    dir: Path
    start_seconds: float
    node: bool = False
    """Whether a node (kubelet + containerd) runs: only as root."""
    node_lock: int | None = None
    """The held NODE_LOCK descriptor: one node on the machine at a time."""

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    @property
    def server(self) -> str:
        return (self.dir / "server").read_text().strip()

    @property
    def containerd(self) -> Path:
        return self.dir / "node" / "containerd.sock"

    @property
    def api_socket(self) -> Path:
        """The node's relay to the API server, for pods on the pod network ([kube] api_socket)."""
        return self.dir / "node" / "api" / "api.sock"

    def import_image(self, tarball: Path) -> None:
        """`ctr -n k8s.io images import` the OCI tarball into the node's containerd."""
        subprocess.run(["ctr", "--address", str(self.containerd), "-n", "k8s.io", "images", "import", str(tarball)],
                       check=True, capture_output=True, timeout=120)

    def client(self) -> Any:
        from weaver.deployers.kube import cluster

        return cluster.connect(str(self.kubeconfig))

    def stop(self) -> float:
        """Stop everything; returns the seconds it took."""
        started = time.monotonic()
        try:
            subprocess.run(["bash", str(SCRIPT), "stop", str(self.dir)], env=script_env(), check=True, timeout=60,
                           capture_output=True)
        finally:
            if self.node_lock is not None:
                os.close(self.node_lock)  # releases the lock
                self.node_lock = None
            if self in _running:
                _running.remove(self)
        return time.monotonic() - started


_running: list[Cluster] = []
"""The clusters this process started and has not stopped."""


def lock_node() -> int:
    """Wait (bounded) for the machine's one node slot and return the descriptor holding it.

    Two kubelets on one machine share host-wide state (/var/log/pods, the CNI bridge and its
    subnet, the node's hostname); with two running, apply_test's deletions took minutes instead of
    seconds and failed a CI run. So the test files that start a node take turns.
    """
    if any(c.node_lock is not None for c in _running):
        raise RuntimeError("this process already runs a node: start the second cluster with node=False")
    fd = os.open(NODE_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() - started > NODE_WAIT:
                os.close(fd)
                raise RuntimeError(f"another test's Kubernetes node held {NODE_LOCK} for {NODE_WAIT:.0f} s") from None
            time.sleep(0.2)  # polls a lock held by another process; bounded by NODE_WAIT
    waited = time.monotonic() - started
    if waited > 1:
        print(f"waited {waited:.0f} s for another test file's node to stop", file=sys.stderr)
    return fd


def start_cluster(state: Path, owner: int | None = None, node: bool | None = None) -> Cluster:
    """Build if needed, then start a cluster in `state`, stopped when `owner` (default: us) dies.

    With a node (by default as root, which CI is): the kubelet, containerd and runc
    (deploy/kube/node.sh), once the machine's node slot is free (lock_node).
    """
    build()
    if node is None:
        node = os.getuid() == 0
    lock = lock_node() if node else None
    started = time.monotonic()
    out = subprocess.run(
        ["bash", str(SCRIPT), "start", str(state), str(owner or os.getpid())],
        env={**script_env(), "WEAVER_KUBE_NODE": "1" if node else "0"},
        capture_output=True, text=True, timeout=START_TIMEOUT, check=False,
    )
    if out.returncode != 0:
        if lock is not None:
            os.close(lock)
        raise RuntimeError(f"cluster.sh start failed:\n{out.stderr}")
    cluster = Cluster(state, time.monotonic() - started, node, lock)
    _running.append(cluster)
    return cluster
