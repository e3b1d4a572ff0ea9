"""A real Kubernetes 1.20 control plane for the session, started by deploy/kube/cluster.sh.

The first run builds the binaries from Debian's `kubernetes` source package (minutes; cached in
~/.cache/weaver-kube after that). Where the build cannot run (not root and packages missing), the
tests are skipped with the reason printed, except under CI (`CI=true`), where that fails the run.
"""

import os
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "python"))
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from kube.rig import Cluster, start_cluster, unavailable  # noqa: E402


@pytest.fixture(scope="session")
def kube_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """etcd, kube-apiserver, controller-manager and scheduler on 127.0.0.1, for the whole session.

    No node: pods stay Pending, and deleting them needs no kubelet (tests of objects, not pods).
    """
    cluster = start_cluster(tmp_path_factory.mktemp("kube"), node=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kube_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A control plane with a node (kubelet + containerd + runc): root only, one per machine."""
    if os.getuid() != 0:
        unavailable("the node (kubelet + containerd) needs root")
    cluster = start_cluster(tmp_path_factory.mktemp("kube-node"), node=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def base_image(kube_node: Cluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The local Python 3.11 base image (weaver.deployers.kube.baseimage), imported into the node."""
    from weaver.deployers.kube import baseimage

    tarball = tmp_path_factory.mktemp("image") / "base.tar"
    baseimage.write(tarball)
    kube_node.import_image(tarball)
    return baseimage.NAME
