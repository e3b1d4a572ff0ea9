"""weaver's layers point down only: import-linter's contracts over the product's sources.

The contracts are in `layers.ini` beside this file. The product's sources come from the
`sources_as_files` target (tests, conftest modules and codegen test data excluded: a test may
import what it tests from any layer). A second test plants an upward import in a copy and
checks that the contract breaks and names the module, so the check cannot pass vacuously.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).with_name("layers.ini")
SOURCES = Path("src/python/weaver")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the `weaver` package under `root` (no cache: the tree is a copy)."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo", str(CONFIG.resolve())],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_product(dest: Path) -> Path:
    assert (SOURCES / "__init__.py").is_file(), f"{SOURCES} missing: the test depends on :sources_as_files"
    shutil.copytree(SOURCES, dest / "weaver")
    return dest


def test_the_product_keeps_every_contract(tmp_path: Path) -> None:
    result = lint_imports(copy_product(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_and_is_named(tmp_path: Path) -> None:
    root = copy_product(tmp_path)
    planted = root / "weaver" / "internal" / "files.py"
    planted.write_text(planted.read_text() + "\nfrom weaver.rollout import paths  # planted: points up\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "weaver.internal is not allowed to import weaver.rollout" in result.stdout
    assert "weaver.internal.files -> weaver.rollout.paths" in result.stdout


def test_one_deployer_importing_another_breaks_their_independence(tmp_path: Path) -> None:
    root = copy_product(tmp_path)
    planted = root / "weaver" / "deployers" / "kube" / "config.py"
    planted.write_text(planted.read_text() + "\nfrom weaver.deployers.multi import deployments  # planted\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "weaver.deployers.kube.config -> weaver.deployers.multi.deployments" in result.stdout
