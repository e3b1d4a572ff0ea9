"""`weaver kube generate|apply|status|logs|delete`: one version's manifests, on a cluster.

    weaver kube generate APP.pex [--config kube.toml] [--out FILE]
    weaver kube image APP.pex --out IMAGE.tar   (then: ctr -n k8s.io images import IMAGE.tar)
    weaver kube apply APP.pex [--config kube.toml] [--wait SECONDS]
    weaver kube status|logs|delete VERSION [--namespace NS]

`weaver kube rollout|abort` join these with the rollout controller: weaver.kuberollout.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from weaver.config import ConfigError


def add_subcommands(sub: Any, more: Callable[[Any], None] | None = None) -> None:
    """`weaver kube` and its subcommands; `more(ksub)` adds others (the rollout's) before the common flags."""
    kube = sub.add_parser("kube", help="deploy versions to Kubernetes")
    ksub = kube.add_subparsers(dest="kube_command", required=True)
    gen = ksub.add_parser("generate", help="write one version's manifests as YAML")
    apply = ksub.add_parser("apply", help="server-side apply one version's manifests to the cluster")
    for p in (gen, apply):
        p.add_argument("app", help="the app's PEX from `pants package` (its .manifest.json beside it), or the manifest")
        p.add_argument("--config", help="TOML with a [kube] section (the whole file becomes the app's ConfigMap)")
    gen.add_argument("--out", help="write the YAML here instead of stdout")
    apply.add_argument("--wait", type=float, default=0, help="wait up to SECONDS for every pod Ready (0: no wait)")
    apply.add_argument("--force", action="store_true", help="take over fields another manager owns")
    image = ksub.add_parser("image", help="write the version's OCI image tarball (local Python base + the PEX)")
    image.add_argument("app", help="the app's PEX (its .manifest.json beside it)")
    image.add_argument("--out", required=True, help="the tarball to write")
    for name, text in (
        ("status", "the version's objects and pods"),
        ("logs", "the version's pods' logs"),
        ("delete", "delete every object of the version"),
    ):
        p = ksub.add_parser(name, help=text)
        p.add_argument("version", help="the version: its sha256 or the first 16 hex digits (the label)")
        p.add_argument("--namespace", default="default", help="the namespace (default: default)")
    ksub.choices["delete"].add_argument(
        "--wait", type=float, default=120, help="wait up to SECONDS until its pods are gone (0: no wait)"
    )
    if more is not None:
        more(ksub)
    for p in ksub.choices.values():
        p.add_argument("--kubeconfig", help="the kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)")


def manifest_path(app: str) -> Path:
    """The manifest of `app` (a PEX, or the manifest itself)."""
    path = Path(app)
    if path.name.endswith(".manifest.json"):
        return path
    if path.suffix == ".pex":
        return path.with_name(path.name[: -len(".pex")] + ".manifest.json")
    raise ConfigError(f"{app}: give the app's .pex (with its .manifest.json beside it) or the .manifest.json")


def generate_yaml(app: str, config_path: str | None) -> str:
    """The version's manifests as a YAML stream."""
    from weaver.deployers.kube.render import to_yaml

    return to_yaml(generate_objects(app, config_path))


def generate_objects(
    app: str, config_path: str | None, port_offset: int = 0, image: str | None = None
) -> list[dict[str, Any]]:
    """The version's objects, in apply order (`port_offset`: see manifests.generate; `image`
    replaces the config's)."""
    # Imported here: `weaver.cli` builds this parser for every command, the code generator too.
    from weaver.deployers.kube import config as kubeconfig
    from weaver.deployers.kube.manifests import AppSpec, generate
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
    if image:
        cfg = msgspec.structs.replace(cfg, image=image)
    if set(tomllib.loads(text)) <= {"kube"}:
        text = with_embedded_config(where.with_name(str(manifest.get("pex", ""))), text)
    return generate(AppSpec(manifest, str(where)), cfg, text, config_path or "[kube] defaults", port_offset)


def with_embedded_config(pex: Path, kube_text: str) -> str:
    """The pods' config: the PEX's embedded config, then the `[kube]`-only deployment config.

    A pod's WEAVER_CONFIG replaces the config packed in its PEX; a kube.toml that says only how
    to deploy must not drop what the app was built with (e.g. a greeting that differs by version).
    """
    from weaver.internal.pexinfo import PexInfoError, embedded_config_text

    if not pex.is_file():
        return kube_text
    try:
        embedded = embedded_config_text(pex)
    except PexInfoError as e:
        raise ConfigError(str(e)) from None
    return f"{embedded.rstrip()}\n\n{kube_text}" if embedded.strip() else kube_text


def run(args: argparse.Namespace) -> int:
    if args.kube_command == "image":
        from weaver.deployers.kube import image
        from weaver.deployers.kube.baseimage import BaseImageError
        from weaver.deployers.kube.pexroot import UnpackError

        try:
            print(image.write(Path(args.app), Path(args.out)))
        except (ConfigError, BaseImageError, UnpackError) as e:
            print(f"weaver kube image: {e}", file=sys.stderr)
            return 2
        return 0
    if args.kube_command != "generate":
        from weaver.deployers.kube.actions import run_action

        return run_action(args)
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
