"""`weaver kube generate`: deterministic, schema-valid, labelled, least-privilege manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
from lightkube import codecs

from weaver.config import ConfigError
from weaver.deployers.kube import config as kubeconfig
from weaver.deployers.kube.command import generate_yaml, run
from weaver.deployers.kube.manifests import AppSpec, generate

VERSION = "0f" * 32
MANIFEST: dict[str, Any] = {
    "app": "hello",
    "version": VERSION,
    "pex": "app.pex",
    "components": [
        {"name": "weaver.Main", "listeners": ["hello"]},
        {"name": "apps.hello.greeter.Greeter", "listeners": []},
        {"name": "apps.hello.counter.Counter", "listeners": []},
    ],
    "groups": [{"components": ["weaver.Main", "apps.hello.greeter.Greeter"], "replicas": 2}],
}
CONFIG = """
[weaver]
name = "hello"

[kube]
namespace = "shop"
image = "registry.local/hello:0f0f"
[kube.listeners.hello]
public = true
[kube.groups.counter]
min = 2
max = 5
cpu = "100m"
"""


def objects(config: str = CONFIG) -> list[dict[str, Any]]:
    return generate(AppSpec(MANIFEST, "m.json"), kubeconfig.parse(config, "kube.toml"), config, "kube.toml")


def write_app(tmp_path: Path) -> Path:
    (tmp_path / "app.manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "kube.toml").write_text(CONFIG)
    return tmp_path / "app.pex"


def test_same_inputs_give_byte_identical_yaml(tmp_path: Path) -> None:
    pex = write_app(tmp_path)
    first = generate_yaml(str(pex), str(tmp_path / "kube.toml"))
    assert first == generate_yaml(str(pex), str(tmp_path / "kube.toml"))
    kinds = [r.kind for r in codecs.load_all_yaml(first)]
    assert kinds == [
        "ServiceAccount", "Role", "RoleBinding", "ConfigMap",
        "Deployment", "PodDisruptionBudget",
        "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler",
        "Service",
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(10))
def test_every_object_is_valid_against_the_kubernetes_schema(index: int) -> None:
    obj = objects()[index]
    kubernetes_validate.validate(obj, "1.30.0", strict=True)
    assert codecs.from_dict(obj).to_dict() == obj  # type: ignore[no-untyped-call]  # lightkube's models too


def test_every_object_is_labelled_with_app_and_short_version_and_annotated_with_the_full_one() -> None:
    for obj in objects():
        meta = obj["metadata"]
        assert meta["labels"]["weaver.dev/app"] == "hello"
        assert meta["labels"]["weaver.dev/version"] == VERSION[:16]
        assert meta["annotations"]["weaver.dev/version-sha256"] == VERSION
        assert meta["namespace"] == "shop" and len(meta["name"]) <= 63


def test_the_service_account_may_only_read_pods_in_its_namespace() -> None:
    role = next(o for o in objects() if o["kind"] == "Role")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
    assert not any(o["kind"] in ("ClusterRole", "ClusterRoleBinding") for o in objects())


def test_groups_follow_the_placement_and_the_config() -> None:
    deployments = {o["metadata"]["labels"]["weaver.dev/group"]: o for o in objects() if o["kind"] == "Deployment"}
    assert set(deployments) == {"greeter-main", "counter"}
    assert deployments["greeter-main"]["spec"]["replicas"] == 2  # the app's placement
    assert "replicas" not in deployments["counter"]["spec"]  # the HPA owns it
    pod = deployments["counter"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 30
    container = pod["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert {"name": "WEAVER_VERSION", "value": VERSION} in container["env"]
    hpa = next(o for o in objects() if o["kind"] == "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    service = next(o for o in objects() if o["kind"] == "Service")
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["selector"]["weaver.dev/group"] == "greeter-main"


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[kube]\nnamespce = "x"\n', "kube.toml: [kube] key namespce: unknown key"),
        ('[kube.groups.counter]\ncpus = "1"\n', "kube.toml: [kube] key groups.counter.cpus: unknown key"),
        ("[kube]\ngrace = \"long\"\n", "[kube] key grace: Expected `int`, got `str`"),
        ('[kube.groups.counter]\ncpu = "lots"\n', "key groups.counter.cpu: 'lots' is not a Kubernetes quantity"),
        ("[kube.groups.counter]\nreplicas = 2\nmin = 1\nmax = 3\n", "key groups.counter: give replicas"),
        ("[kube.groups.counter]\nmin = 3\n", "needs both min and max"),
        ('[kube]\nnamespace = "Shop"\n', "key namespace: 'Shop' is not a DNS label"),
        ("[kube.groups.nope]\nreplicas = 1\n", "key groups.nope: no such group (groups: greeter-main, counter)"),
        ("[kube.listeners.web]\npublic = true\n", "key listeners.web: the app has no listener 'web'"),
        ("[kube\n", "kube.toml: not TOML"),
        ("[kube.proxy]\nadmin = 1\n", "kube.toml: [kube] key proxy.admin: unknown key"),
        ("[kube.proxy]\nadmin_port = 70000\n", "key proxy.admin_port: 70000 is not a TCP port"),
        ('[kube.proxy]\ncpu = "fast"\n', "key proxy.cpu: 'fast' is not a Kubernetes quantity"),
        ("[kube]\nproxy = 3\n", "[kube] key proxy: must be a table"),
        ("[kube.listeners.hello]\nproxy_port = 0\n", "key listeners.hello.proxy_port: 0 is not a TCP port"),
        ('[kube]\napi_socket = "api.sock"\n', "key api_socket: 'api.sock' is not an absolute path to a socket file"),
        ('[kube]\napi_socket = "/run/a.sock"\nhost_network = true\n', "key host_network: not with api_socket"),
        ('[kube]\napi_socket = "/run/a.sock"\napi_server = "h:1"\n', "key api_server: not with api_socket"),
    ],
)
def test_bad_config_names_the_file_and_key(snippet: str, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        objects(snippet)
    assert message in str(e.value)


def test_the_command_writes_yaml_and_reports_a_missing_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    pex = write_app(tmp_path)
    out = tmp_path / "hello.yaml"
    args = argparse.Namespace(kube_command="generate", app=str(pex), config=str(tmp_path / "kube.toml"), out=str(out))
    assert run(args) == 0 and [r.kind for r in codecs.load_all_yaml(out.read_text())][0] == "ServiceAccount"
    missing = argparse.Namespace(kube_command="generate", app=str(tmp_path / "other.pex"), config=None, out=None)
    assert run(missing) == 2
    assert "other.manifest.json: cannot read the app's manifest" in capsys.readouterr().err


def test_a_port_offset_moves_every_port_the_pods_bind() -> None:
    def ports(offset: int) -> list[int]:
        spec, cfg = AppSpec(MANIFEST, "m.json"), kubeconfig.parse(CONFIG, "kube.toml")
        deployments = [o for o in generate(spec, cfg, CONFIG, "kube.toml", offset) if o["kind"] == "Deployment"]
        containers = [d["spec"]["template"]["spec"]["containers"][0] for d in deployments]
        return [p["containerPort"] for c in containers for p in c["ports"]]

    assert ports(1000) == [p + 1000 for p in ports(0)]
    with pytest.raises(ConfigError, match="pass 65535"):
        ports(60000)


def test_pods_reach_the_api_server_through_the_node_socket_when_asked() -> None:
    deployments = [o for o in objects('[kube]\napi_socket = "/srv/node/api/api.sock"\n') if o["kind"] == "Deployment"]
    for deployment in deployments:
        kubernetes_validate.validate(deployment, "1.30.0", strict=True)
        pod = deployment["spec"]["template"]["spec"]
        assert "hostNetwork" not in pod
        assert {"name": "api-socket", "hostPath": {"path": "/srv/node/api", "type": "Directory"}} in pod["volumes"]
        container = pod["containers"][0]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert (env["KUBERNETES_SERVICE_HOST"], env["KUBERNETES_SERVICE_PORT"]) == ("127.0.0.1", "6443")
        assert env["WEAVER_KUBE_API_SOCKET"] == "/var/run/weaver-api/api.sock"
        assert {"name": "api-socket", "mountPath": "/var/run/weaver-api", "readOnly": True} in container["volumeMounts"]
