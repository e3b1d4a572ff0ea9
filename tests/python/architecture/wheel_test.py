"""The weaver wheel ships the product only: no tests, test rigs, fakes, benchmarks or apps.

Pants builds `src/python/weaver:dist` into this test's sandbox (runtime_package_dependencies).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

REQUIRED = {
    "weaver/__init__.py",
    "weaver/runtime/codegen.py",
    "weaver/runtime/status.py",
    "weaver/internal/http1.py",
    "weaver/deployers/multi/command.py",
    "weaver/rollout/controller.py",
    "weaver/testing/start.py",
}


def wheel_files() -> list[str]:
    wheels = sorted(Path("src/python/weaver").glob("weaver-*.whl")) or sorted(Path(".").rglob("weaver-*.whl"))
    assert wheels, "no weaver wheel in the sandbox: the test depends on src/python/weaver:dist"
    with zipfile.ZipFile(wheels[-1]) as z:
        return z.namelist()


def is_rig(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (
        base.endswith("_test.py")
        or base in ("conftest.py", "fakes.py", "weaver_gen.py")
        or "/testdata/" in name
        or "/testapp/" in name
        or "bench" in name
        or "loadgen" in name
    )


def test_the_wheel_holds_the_product_and_nothing_else() -> None:
    names = wheel_files()
    modules = [n for n in names if ".dist-info/" not in n]
    assert REQUIRED <= set(modules), REQUIRED - set(modules)
    assert [n for n in modules if is_rig(n)] == []
    assert {n.split("/", 1)[0] for n in modules} == {"weaver"}, sorted({n.split("/", 1)[0] for n in modules})
