"""The `weaver` command: `weaver generate` and `weaver describe` (and each deployer's subcommands).

python -m weaver generate --root src/python src/python/apps/hello/*.py [--out DIR]
                          [--manifest-json FILE]
python -m weaver describe --root src/python src/python/apps/hello/*.py
"""

from __future__ import annotations

import argparse
import json
import sys
from types import ModuleType
from typing import Any

from weaver.codegen.errors import CodegenError


def _subcommands() -> dict[str, ModuleType]:
    """Each deployer's command module: `add_subcommands(sub)` adds its parser, `run(args)` runs it.

    `weaver kube` is the kube deployer's commands plus its rollout (weaver.kuberollout).
    """
    from weaver.deployers.multi import command as multi
    from weaver.deployers.single import command as single
    from weaver.kuberollout import command as kube
    from weaver.rollout import command as rollout

    return {"multi": multi, "single": single, "kube": kube, "rollout": rollout}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="weaver", description="Service Weaver for Python.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("generate", "write weaver_gen.py for each package of the given files"),
        ("describe", "print the components, call graph, listeners and fingerprints as JSON"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("paths", nargs="+", help="component source files or package directories")
        p.add_argument("--root", action="append", default=[], help="a source root (repeatable; default .)")
        p.add_argument("--config", help="also describe the placement (colocation groups, replicas) of this config")
        if name == "generate":
            p.add_argument("--out", help="write outputs under DIR (same relative paths) instead of the roots")
            p.add_argument("--manifest-json", help="also write the manifest JSON to FILE ('-' for stdout)")
    for module in _subcommands().values():
        module.add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    from weaver.codegen.generate import generate

    args = _parser().parse_args(argv)
    deployer = _subcommands().get(args.command)
    if deployer is not None:
        status: int = deployer.run(args)
        return status
    roots: list[str] = args.root or ["."]
    try:
        result = generate(args.paths, roots)
    except CodegenError as e:
        print(f"weaver {args.command}: {len(e.problems)} problem(s):\n{e}", file=sys.stderr)
        return 1
    manifest = dict(result.manifest)
    if args.config:
        from weaver.config import ConfigError

        try:
            manifest["groups"] = _placement(manifest, args.config)
        except ConfigError as e:
            print(f"weaver {args.command}: {e}", file=sys.stderr)
            return 1
    manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if args.command == "describe":
        sys.stdout.write(manifest_text)
        return 0
    if args.out:
        result.write(args.out)
    else:
        for rel, text in result.files.items():  # each output goes under the root holding its package
            out = next((r for r in roots if _holds(r, rel)), roots[0])
            type(result)({rel: text}).write(out)
    if args.manifest_json == "-":
        sys.stdout.write(manifest_text)
    elif args.manifest_json:
        with open(args.manifest_json, "w", encoding="utf-8") as f:
            f.write(manifest_text)
    return 0


def _placement(manifest: dict[str, Any], config_path: str) -> list[dict[str, Any]]:
    """Colocation groups and replica counts that `weaver multi` would use for this config."""
    from weaver import config as configmod
    from weaver.runtime.groups import colocation, multi_options

    config = configmod.load(config_path)
    names = sorted(c["name"] for c in manifest["components"])
    groups = [sorted(g) for g in colocation(config) if g]
    placed = {n for g in groups for n in g}
    groups += [[n] for n in names if n not in placed]
    opts = multi_options(config)
    out = []
    for components in groups:
        replicas = opts.replicas
        for c in components:
            replicas = opts.group_replicas.get(c, replicas)
        out.append({"components": components, "replicas": replicas})
    return out


def _holds(root: str, rel: str) -> bool:
    import os

    return os.path.isdir(os.path.join(root, os.path.dirname(rel)))


if __name__ == "__main__":
    sys.exit(main())
