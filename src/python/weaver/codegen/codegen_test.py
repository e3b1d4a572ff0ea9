"""The generator on good input: deterministic output, the CLI, the manifest, staleness."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from weaver.codegen.fingerprint import StaleCodeError, fingerprint_source
from weaver.codegen.generate import generate

ROOT = str(Path(__file__).parents[2])
TESTAPP = os.path.join(ROOT, "weaver", "testing", "testapp")


def test_output_is_deterministic() -> None:
    first = generate([TESTAPP], [ROOT]).files
    second = generate([str(p) for p in sorted(Path(TESTAPP).glob("*.py"), reverse=True)], [ROOT]).files
    assert first == second
    assert list(first) == [os.path.join("weaver", "testing", "testapp", "weaver_gen.py")]


def test_generated_code_imports_only_runtime_codegen_and_the_app() -> None:
    (text,) = generate([TESTAPP], [ROOT]).files.values()
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert {m for m in imported if not m.startswith("weaver.testing.testapp")} == {"weaver.runtime.codegen"}


def test_manifest_has_call_graph_listeners_and_fingerprints() -> None:
    manifest = generate([TESTAPP], [ROOT]).manifest
    graph = manifest["call_graph"]
    assert graph["weaver.Main"] == ["weaver.testing.testapp.store.Store"]
    assert graph["weaver.testing.testapp.store.Store"] == ["weaver.testing.testapp.audit.Audit"]
    assert graph["weaver.testing.testapp.audit.Audit"] == ["weaver.testing.testapp.store.Store"]
    by_name = {c["name"]: c for c in manifest["components"]}
    assert by_name["weaver.Main"]["listeners"] == ["api"]
    methods = {m["name"]: m for m in by_name["weaver.testing.testapp.store.Store"]["methods"]}
    assert methods["bump"]["retriable"] is False
    assert methods["require"]["routed_by"] == "key"
    assert len(by_name["weaver.testing.testapp.store.Store"]["fingerprint"]) == 16


def test_cli_generate_with_out_and_describe(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": ROOT}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "weaver", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)

    done = run(
        "generate",
        "--root",
        ".",
        "--out",
        str(tmp_path),
        "--manifest-json",
        str(tmp_path / "m.json"),
        "weaver/testing/testapp/store.py",
        "weaver/testing/testapp/audit.py",
        "weaver/testing/testapp/main.py",
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "weaver" / "testing" / "testapp" / "weaver_gen.py"
    assert "Regenerate: python -m weaver generate --root . weaver/testing/testapp/*.py" in out.read_text()
    assert json.loads((tmp_path / "m.json").read_text())["main"] == "weaver.Main"
    described = run("describe", "--root", ".", "weaver/testing/testapp")
    assert json.loads(described.stdout) == json.loads((tmp_path / "m.json").read_text())
    bad = run("generate", "--root", ".", "weaver/codegen/testdata/non_async.py")
    assert bad.returncode == 1
    assert "weaver/codegen/testdata/non_async.py:5: method Sync.ping must be declared 'async def'" in bad.stderr


def test_fingerprint_ignores_docs_and_bodies_but_not_signatures() -> None:
    base = "class A(weaver.Component):\n    async def f(self, x: int) -> str: ...\n"
    documented = (
        'class A(weaver.Component):\n    """Doc."""\n\n'
        '    async def f(self, x: int) -> str:\n        """More."""\n        ...\n'
    )
    changed = "class A(weaver.Component):\n    async def f(self, x: float) -> str: ...\n"
    assert fingerprint_source(base, "A") == fingerprint_source(documented, "A")
    assert fingerprint_source(base, "A") != fingerprint_source(changed, "A")


def test_stale_generated_code_fails_with_the_regenerate_command(tmp_path: Path) -> None:
    pkg = tmp_path / "staleapp"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    source = textwrap.dedent("""
        import weaver

        class Echo(weaver.Component):
            async def echo(self, s: str) -> str: ...

        class EchoImpl(weaver.Implements[Echo]):
            async def echo(self, s: str) -> str:
                return s
    """)
    (pkg / "echo.py").write_text(source)
    generate([str(pkg)], [str(tmp_path)]).write(str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module("staleapp.weaver_gen")  # fresh: imports fine
        for name in [m for m in sys.modules if m.startswith("staleapp")]:
            del sys.modules[name]
        (pkg / "echo.py").write_text(source.replace("s: str) -> str: ...", "s: bytes) -> str: ..."))
        with pytest.raises(
            StaleCodeError,
            match=r"staleapp\.echo\.Echo is stale.*Regenerate it: "
            r"python -m weaver generate --root .* .*staleapp/\*\.py",
        ):
            importlib.import_module("staleapp.weaver_gen")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("staleapp")]:
            del sys.modules[name]
