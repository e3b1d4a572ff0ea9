"""Start and stop the local cluster through deploy/kube/cluster.sh; helpers for the tests."""

from __future__ import annotations

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

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    @property
    def server(self) -> str:
        return (self.dir / "server").read_text().strip()

    @property
    def containerd(self) -> Path:
        return self.dir / "node" / "containerd.sock"

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
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.dir)], env=script_env(), check=True, timeout=60,
                       capture_output=True)
        return time.monotonic() - started


def start_cluster(state: Path, owner: int | None = None) -> Cluster:
    """Build if needed, then start a cluster in `state`, stopped when `owner` (default: us) dies.

    As root (CI is), with a node: the kubelet, containerd and runc (deploy/kube/node.sh).
    """
    build()
    started = time.monotonic()
    node = os.getuid() == 0
    out = subprocess.run(
        ["bash", str(SCRIPT), "start", str(state), str(owner or os.getpid())],
        env={**script_env(), "WEAVER_KUBE_NODE": "1" if node else "0"},
        capture_output=True, text=True, timeout=START_TIMEOUT, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"cluster.sh start failed:\n{out.stderr}")
    return Cluster(state, time.monotonic() - started, node)
