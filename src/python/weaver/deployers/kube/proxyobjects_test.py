"""The proxy's objects: schema-valid, deterministic, no version label, no API access."""

from __future__ import annotations

from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from weaver.deployers.kube import config as kubeconfig
from weaver.deployers.kube.proxyobjects import listeners_env, objects, proxy_ports
from weaver.kuberollout.proxypod import ProxyPodError, parse_listeners

CONFIG = """
[kube]
namespace = "shop"
host_network = true
[kube.listeners.web]
public = true
port = 80
proxy_port = 8000
[kube.listeners.admin]
[kube.proxy]
admin_port = 9500
"""


def build() -> list[dict[str, Any]]:
    return objects("shop", kubeconfig.parse(CONFIG, "kube.toml"), "weaver.local/shop:0f0f", "app.pex", ["web", "admin"])


def test_a_deployment_and_a_service_per_listener_valid_against_the_schema() -> None:
    objs = build()
    assert objs == build()
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("Deployment", "shop-proxy"), ("Service", "shop-admin"), ("Service", "shop-web"),
    ]  # fmt: skip
    for obj in objs:
        kubernetes_validate.validate(obj, "1.30.0", strict=True)
        assert "weaver.dev/version" not in obj["metadata"]["labels"]  # deleting a version keeps the proxy
    web = objs[2]["spec"]
    assert (web["type"], web["ports"][0]["port"], web["ports"][0]["targetPort"]) == ("LoadBalancer", 80, 8000)
    pod = objs[0]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and pod["hostNetwork"] is True
    env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
    assert env["WEAVER_PROCLET"] == "kube-proxy"
    assert parse_listeners(env["WEAVER_KUBE_PROXY_LISTENERS"]) == {"admin": (80, 9500), "web": (8000, 9501)}


def test_listener_ports_round_trip_and_bad_ones_are_named() -> None:
    ports = proxy_ports(kubeconfig.parse(CONFIG, "kube.toml"), ["web", "admin"])
    assert parse_listeners(listeners_env(ports)) == ports
    for bad in ("", "web=80", "web=x:1", "=80:90"):
        with pytest.raises(ProxyPodError, match="WEAVER_KUBE_PROXY_LISTENERS"):
            parse_listeners(bad)
