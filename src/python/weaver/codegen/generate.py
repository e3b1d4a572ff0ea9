"""The generator's entry point: source files in, `weaver_gen.py` texts and a manifest out."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import Any

from weaver.codegen.analyze import Analyzer, is_source
from weaver.codegen.emit import PackageEmitter
from weaver.codegen.errors import CodegenError, Problem, Problems
from weaver.codegen.model import App
from weaver.codegen.sources import ResolveError, SourceIndex
from weaver.internal.registry import MAIN


@dataclass
class Result:
    """Generated files (path relative to their source root -> text) and the app manifest."""

    files: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str) -> list[str]:
        """Write the files under `out_dir`; only files whose text changed are rewritten."""
        written = []
        for rel, text in sorted(self.files.items()):
            path = os.path.join(out_dir, rel)
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    if f.read() == text:
                        continue
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            written.append(path)
        return written


def expand(paths: list[str]) -> list[str]:
    """Files named on the command line: directories become their *.py files (not recursive)."""
    files: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            files.update(p for p in glob.glob(os.path.join(path, "*.py")) if is_source(os.path.basename(p)))
        elif is_source(os.path.basename(path)):
            files.add(path)
    return sorted(files)


def generate(paths: list[str], roots: list[str]) -> Result:
    """Analyse `paths` (resolving imports under `roots`) and generate code; may raise CodegenError."""
    roots = roots or ["."]
    index = SourceIndex(roots)
    problems = Problems()
    try:
        modules = [index.add_file(p) for p in expand(paths)]
        app = Analyzer(index, problems).run(modules)
    except ResolveError as e:
        raise CodegenError([Problem(*_split(str(e)))]) from None
    problems.raise_if_any()
    result = Result(manifest=manifest(app))
    packages = sorted({m.package for m in modules})
    for package in packages:
        emitter = PackageEmitter(index, app, package, _regen_command(index, roots, package))
        has_ifaces = any(
            i.module is not None and i.module in modules and i.module.package == package
            for i in app.interfaces.values()
        )
        if emitter.impls or has_ifaces:
            result.files[os.path.join(*package.split("."), "weaver_gen.py")] = emitter.text()
    return result


def manifest(app: App) -> dict[str, Any]:
    """The call graph, listeners, methods and fingerprints of the components found."""
    components = []
    for name, impl in sorted(app.impls.items()):
        if impl.module not in app.local_modules:
            continue
        iface = app.interfaces[name]
        components.append(
            {
                "name": name,
                "impl": f"{impl.module.name}.{impl.node.name}",
                "package": impl.module.package,
                "refs": sorted(set(impl.ref_fields.values())),
                "listeners": sorted(impl.listeners),
                "fingerprint": iface.fingerprint,
                "methods": [
                    {"name": m.name, "retriable": m.retriable, "routed_by": m.routed_by} for m in iface.methods
                ],
            }
        )
    return {
        "components": components,
        "main": MAIN if any(c["name"] == MAIN for c in components) else None,
        "call_graph": {c["name"]: c["refs"] for c in components},
    }


def _regen_command(index: SourceIndex, roots: list[str], package: str) -> str:
    for root in roots:
        directory = os.path.join(root, *package.split("."))
        if os.path.isdir(directory):
            flags = " ".join(f"--root {r}" for r in roots)
            return f"python -m weaver generate {flags} {os.path.normpath(directory)}/*.py"
    return f"python -m weaver generate {' '.join(f'--root {r}' for r in roots)} <package files>"


def _split(message: str) -> tuple[str, int, str]:
    """'path:line: msg' -> parts (for resolve errors that carry their own location)."""
    parts = message.split(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return parts[0], int(parts[1]), parts[2].strip()
    return "<sources>", 0, message
