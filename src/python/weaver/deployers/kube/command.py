"""`weaver kube generate APP.pex [--config kube.toml] [--out FILE]`: one version's manifests."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from weaver.config import ConfigError
from weaver.deployers.kube import config as kubeconfig
from weaver.deployers.kube.manifests import AppSpec, generate
from weaver.deployers.kube.render import to_yaml


def add_subcommands(sub: Any) -> None:
    kube = sub.add_parser("kube", help="deploy versions to Kubernetes (so far: generate manifests)")
    ksub = kube.add_subparsers(dest="kube_command", required=True)
    gen = ksub.add_parser("generate", help="write one version's manifests as YAML")
    gen.add_argument("app", help="the app's PEX from `pants package` (its .manifest.json beside it), or the manifest")
    gen.add_argument("--config", help="TOML with a [kube] section (the whole file becomes the app's ConfigMap)")
    gen.add_argument("--out", help="write the YAML here instead of stdout")


def manifest_path(app: str) -> Path:
    """The manifest of `app` (a PEX, or the manifest itself)."""
    path = Path(app)
    if path.name.endswith(".manifest.json"):
        return path
    if path.suffix == ".pex":
        return path.with_name(path.name[: -len(".pex")] + ".manifest.json")
    raise ConfigError(f"{app}: give the app's .pex (with its .manifest.json beside it) or the .manifest.json")


def generate_yaml(app: str, config_path: str | None) -> str:
    where = manifest_path(app)
    try:
        manifest = json.loads(where.read_text())
    except OSError as e:
        raise ConfigError(f"{where}: cannot read the app's manifest: {e.strerror or e}") from None
    except ValueError as e:
        raise ConfigError(f"{where}: not JSON: {e}") from None
    if not isinstance(manifest, dict):
        raise ConfigError(f"{where}: not a weaver app manifest (not a JSON object)")
    text = ""
    if config_path:
        try:
            text = Path(config_path).read_text()
        except OSError as e:
            raise ConfigError(f"{config_path}: cannot read: {e.strerror or e}") from None
    cfg = kubeconfig.parse(text, config_path) if config_path else kubeconfig.KubeConfig()
    return to_yaml(generate(AppSpec(manifest, str(where)), cfg, text, config_path or "[kube] defaults"))


def run(args: argparse.Namespace) -> int:
    try:
        text = generate_yaml(args.app, args.config)
    except ConfigError as e:
        print(f"weaver kube {args.kube_command}: {e}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0
