"""A version's objects for the tests: the generator's output for a hello-like manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from weaver.deployers.kube import config as kubeconfig
from weaver.deployers.kube.manifests import AppSpec, generate

CONFIG = """
[weaver]
name = "hello"

[kube]
namespace = "default"
image = "weaver-test/hello:1"
[kube.groups.counter]
min = 1
max = 3
"""


def manifest(tag: str) -> dict[str, Any]:
    """A manifest whose version is the sha256 of `tag` (distinct tags: distinct versions)."""
    return {
        "app": "hello",
        "version": hashlib.sha256(tag.encode()).hexdigest(),
        "pex": "app.pex",
        "components": [
            {"name": "weaver.Main", "listeners": ["hello"]},
            {"name": "apps.hello.greeter.Greeter", "listeners": []},
            {"name": "apps.hello.counter.Counter", "listeners": []},
        ],
        "groups": [{"components": ["weaver.Main", "apps.hello.greeter.Greeter"], "replicas": 1}],
    }


def objects(tag: str, config: str = CONFIG) -> list[dict[str, Any]]:
    return generate(AppSpec(manifest(tag), "m.json"), kubeconfig.parse(config, "kube.toml"), config, "kube.toml")


def write_app(tmp: Path, tag: str) -> Path:
    """app.pex's manifest and kube.toml in `tmp`; returns the (absent) PEX path the CLI takes."""
    (tmp / "app.manifest.json").write_text(json.dumps(manifest(tag)))
    (tmp / "kube.toml").write_text(CONFIG)
    return tmp / "app.pex"
