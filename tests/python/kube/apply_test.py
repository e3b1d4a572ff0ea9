"""`weaver kube apply|status|delete` against a real Kubernetes 1.20 control plane."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from lightkube import ApiError, Client, KubeConfig
from lightkube.resources.apps_v1 import ReplicaSet
from lightkube.resources.core_v1 import ConfigMap, Pod, Secret, ServiceAccount

from kube.objects import objects, write_app
from kube.rig import SRC_ROOT, Cluster
from weaver.deployers.kube import cluster
from weaver.deployers.kube.manifests import SHORT
from weaver.deployers.kube.watching import wait_listed


def version_of(tag: str) -> str:
    return str(objects(tag)[0]["metadata"]["labels"][cluster.VERSION_LABEL])


def test_apply_reads_back_with_the_served_api_versions(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    objs = objects("read-back")
    started = time.monotonic()
    applied = cluster.apply(client, objs)
    print(f"apply of {len(applied)} objects: {time.monotonic() - started:.2f} s")
    assert applied == [f"{o['kind']}/{o['metadata']['name']}" for o in objs]
    picked = cluster.pick_versions(cluster.served_versions(client))
    assert picked["HorizontalPodAutoscaler"] == "autoscaling/v2beta2"  # 1.20 has no autoscaling/v2
    assert picked["PodDisruptionBudget"] == "policy/v1beta1"
    labels = cluster.selector("hello", version_of("read-back"))
    back = {f"{o['kind']}/{o['metadata']['name']}": o for o in cluster.owned(client, "default", labels)}
    assert set(back) == set(applied)
    for o in objs:
        got = back[f"{o['kind']}/{o['metadata']['name']}"]
        assert got["metadata"]["labels"] == o["metadata"]["labels"]
        sha = "weaver.dev/version-sha256"
        assert got["metadata"]["annotations"][sha] == o["metadata"]["annotations"][sha]
    deployment = next(v for k, v in back.items() if k.endswith("-greeter-main") and k.startswith("Deployment/"))
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == objs[0]["metadata"]["name"]
    cluster.delete(client, "default", labels)


def test_reapply_is_idempotent(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    objs = objects("idempotent")
    cluster.apply(client, objs)
    name = objs[3]["metadata"]["name"]
    before = client.get(ConfigMap, name, namespace="default").metadata.resourceVersion
    cluster.apply(client, objs)
    assert client.get(ConfigMap, name, namespace="default").metadata.resourceVersion == before
    cluster.delete(client, "default", cluster.selector("hello", version_of("idempotent")))


def test_a_field_owned_by_another_manager_is_a_conflict_naming_the_field(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    objs = objects("conflict")
    cluster.apply(client, objs)
    cm = objs[3]
    other = {**cm, "data": {"config.toml": "# edited by hand\n"}}
    client.apply(ConfigMap.from_dict(other), field_manager="someone-else", force=True)
    with pytest.raises(cluster.KubeError) as e:
        cluster.apply(client, objs)
    assert f"ConfigMap/{cm['metadata']['name']}" in str(e.value)
    assert "config.toml" in str(e.value) and "someone-else" in str(e.value)
    cluster.apply(client, objs, force=True)  # --force takes the field back
    assert client.get(ConfigMap, cm["metadata"]["name"], namespace="default").data == cm["data"]
    cluster.delete(client, "default", cluster.selector("hello", version_of("conflict")))


def test_two_versions_side_by_side_and_delete_leaves_no_orphans(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    a, b = version_of("side-a"), version_of("side-b")
    cluster.apply(client, objects("side-a"))
    cluster.apply(client, objects("side-b"))
    for v in (a, b):
        sets = wait_listed(client, ReplicaSet, "default", cluster.selector("hello", v), lambda s: len(s) == 2, 60)
        assert all(rs["metadata"]["labels"][cluster.VERSION_LABEL] == v for rs in sets.values())
    gone = cluster.delete(client, "default", cluster.selector("hello", a))
    assert len(gone) == len(objects("side-a"))
    # Foreground deletion: the Deployments' ReplicaSets and pods go too; version b is untouched.
    cluster.wait_gone(client, "default", cluster.selector("hello", a), 60)
    assert list(client.list(ReplicaSet, namespace="default", labels=cluster.selector("hello", a))) == []
    assert list(cluster.owned(client, "default", cluster.selector("hello", a))) == []
    assert len(list(cluster.owned(client, "default", cluster.selector("hello", b)))) == len(objects("side-b"))
    cluster.delete(client, "default", cluster.selector("hello", b))


def test_the_app_service_account_may_list_pods_but_not_secrets(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    objs = objects("rbac")
    cluster.apply(client, objs)
    sa = objs[0]["metadata"]["name"]
    # 1.20's token controller writes the ServiceAccount's token into a Secret.
    state = wait_listed(client, ServiceAccount, "default", objs[0]["metadata"]["labels"],
                        lambda s: bool(s.get(sa, {}).get("secrets")), 60)
    secret = client.get(Secret, state[sa]["secrets"][0]["name"], namespace="default")
    import base64

    token = base64.b64decode(secret.data["token"]).decode()
    config = KubeConfig.from_dict(
        {
            "clusters": [{"name": "c", "cluster": {"server": kube_cluster.server,
                                                   "certificate-authority": str(kube_cluster.dir / "pki" / "ca.crt")}}],
            "users": [{"name": "app", "user": {"token": token}}],
            "contexts": [{"name": "app", "context": {"cluster": "c", "user": "app", "namespace": "default"}}],
            "current-context": "app",
        }
    )
    as_app = Client(config)
    assert isinstance(list(as_app.list(Pod, namespace="default")), list)
    with pytest.raises(ApiError) as e:
        list(as_app.list(Secret, namespace="default"))
    assert e.value.status.code == 403
    with pytest.raises(ApiError):
        list(as_app.list(Pod, namespace="kube-system"))
    cluster.delete(client, "default", cluster.selector("hello", version_of("rbac")))


def weaver(kube_cluster: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "weaver", "kube", *args, "--kubeconfig", str(kube_cluster.kubeconfig)],
        cwd=SRC_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


def test_cli_apply_status_delete(kube_cluster: Cluster, tmp_path: Path) -> None:
    pex = write_app(tmp_path, "cli")
    full = objects("cli")[0]["metadata"]["annotations"]["weaver.dev/version-sha256"]
    started = time.monotonic()
    out = weaver(kube_cluster, "apply", str(pex), "--config", str(tmp_path / "kube.toml"))
    print(f"weaver kube apply (CLI): {time.monotonic() - started:.2f} s")
    assert out.returncode == 0, out.stderr
    assert "applied Deployment/" in out.stdout
    out = weaver(kube_cluster, "status", full)
    assert out.returncode == 0, out.stderr
    assert "Deployment/" in out.stdout and "ServiceAccount/" in out.stdout
    out = weaver(kube_cluster, "delete", full[:SHORT])
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("deleted ") == len(objects("cli"))
    out = weaver(kube_cluster, "status", full)
    assert out.returncode == 1 and "no objects" in out.stdout
    out = weaver(kube_cluster, "status", "not-a-version")
    assert out.returncode == 2 and "not-a-version" in out.stderr


def test_cluster_start_and_stop(tmp_path: Path) -> None:
    from kube.rig import start_cluster

    # A second control plane beside the session's; without a node, which the session's cluster holds.
    c = start_cluster(tmp_path / "second", node=False)
    print(f"cached start: {c.start_seconds:.1f} s")
    client = c.client()
    assert cluster.pick_versions(cluster.served_versions(client))["Deployment"] == "apps/v1"
    pids = [int(line.split()[0]) for line in (c.dir / "pids").read_text().splitlines()]
    took = c.stop()
    print(f"stop: {took:.1f} s")
    assert not (c.dir / "pids").exists()
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(") ")[1][0] in "ZX", pid



def test_an_owner_dying_during_the_start_leaves_no_process(tmp_path: Path) -> None:
    from kube.rig import SCRIPT, script_env

    owner = subprocess.Popen(["sleep", "600"])
    state = tmp_path / "orphan"
    start = subprocess.Popen(["bash", str(SCRIPT), "start", str(state), str(owner.pid)], env=script_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pids_file = state / "pids"
        deadline = time.monotonic() + 60
        while "kube-apiserver" not in (pids_file.read_text() if pids_file.exists() else ""):
            assert time.monotonic() < deadline and start.poll() is None, "the start never reached kube-apiserver"
            time.sleep(0.05)  # polls a file another process writes; bounded by the deadline
        pids = [int(line.split()[0]) for line in pids_file.read_text().splitlines()]
        # Mid-start (the scheduler not started yet), the owner and the start are killed together, as
        # Pants kills a test's process group: what was started must stop all the same.
        owner.kill()
        start.kill()
        owner.wait(timeout=10)
        start.wait(timeout=10)
        deadline = time.monotonic() + 30
        while True:  # the watcher's stop and the start's own stop both end what was started
            left = [p for p in pids if Path(f"/proc/{p}/stat").exists()
                    and Path(f"/proc/{p}/stat").read_text().split(") ")[1][0] not in "ZX"]
            if not left:
                break
            assert time.monotonic() < deadline, f"still running after the owner died: {left}"
            time.sleep(0.05)  # polls other processes' exit; bounded by the deadline
    finally:
        owner.kill()
        if start.poll() is None:
            start.kill()
        subprocess.run(["bash", str(SCRIPT), "stop", str(state)], env=script_env(), capture_output=True, timeout=60)
