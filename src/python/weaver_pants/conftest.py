"""A RuleRunner with the weaver plugin and a scratch repo holding the real weaver runtime sources.

The runtime's sources reach the test sandbox as a `files` dependency (they belong to the 3.11
resolve, the plugin to 3.9); each test copies them into its own build root, so the generator
that runs is the real `weaver.codegen`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pants.backend.python import target_types_rules
from pants.backend.python.dependency_inference import rules as import_inference
from pants.backend.python.goals import package_pex_binary
from pants.backend.python.target_types import PythonRequirementTarget, PythonSourcesGeneratorTarget
from pants.backend.python.util_rules import pex_from_targets
from pants.core.goals.package import BuiltPackage
from pants.core.goals.run import RunRequest
from pants.core.target_types import FilesGeneratorTarget
from pants.engine.addresses import Address, Addresses
from pants.engine.target import DependenciesRequest, GeneratedSources, HydratedSources, HydrateSourcesRequest
from pants.testutil.rule_runner import QueryRule, RuleRunner

from weaver_pants import register
from weaver_pants.codegen_rules import GeneratePythonFromWeaverComponentsRequest
from weaver_pants.package_rules import WeaverAppFieldSet
from weaver_pants.run_rules import WeaverRolloutFieldSet

RUNTIME_DIR = "src/python/weaver"
COMPONENTS = Address("src/python/shop", target_name="components")

HELLO = {
    "src/python/shop/BUILD": (
        'weaver_components(name="components")\n'
        "python_sources()\n"
        'weaver_app(name="app", app_name="shop", main="shop", config="shop.toml")\n'
    ),
    "src/python/shop/__init__.py": "",
    "src/python/shop/shop.toml": '[weaver]\nname = "shop"\n',
    "src/python/shop/prices.py": (
        "import weaver\n\n\n"
        "class Prices(weaver.Component):\n"
        "    async def price(self, item: str) -> int: ...\n\n\n"
        "class PricesImpl(weaver.Implements[Prices]):\n"
        "    async def price(self, item: str) -> int:\n"
        "        return len(item)\n"
    ),
    "src/python/shop/main.py": (
        "import weaver\n\nfrom shop.prices import Prices\n\n\n"
        "class Shop(weaver.Implements[weaver.Main]):\n"
        "    prices: weaver.Ref[Prices]\n\n"
        "    async def main(self) -> None:\n"
        "        print(await self.prices.price('apple'))\n"
    ),
    "src/python/client/BUILD": "python_sources()\n",
    "src/python/client/use.py": "import weaver\nimport shop.weaver_gen\n\nAPP = weaver.run\nNAME = 'shop'\n",
    "deploy/BUILD": 'weaver_rollout(name="rollout", app="src/python/shop:app", args=["--duration", "1s"])\n',
}


def runtime_sources() -> dict[str, str]:
    """The weaver runtime's real sources, as found in this test's sandbox (or the repo)."""
    root = Path(RUNTIME_DIR)
    if not root.is_dir():  # run outside Pants, from src/python
        root = Path(__file__).resolve().parent.parent / "weaver"
    files = {
        f"{RUNTIME_DIR}/{p.relative_to(root)}": p.read_text()
        for p in root.rglob("*.py")
        if not p.name.endswith("_test.py") and "testdata" not in p.parts
    }
    files[f"{RUNTIME_DIR}/BUILD"] = "python_sources(sources=['**/*.py'])\n"
    files["3rdparty/BUILD"] = (
        "python_requirement(name='msgspec', requirements=['msgspec==0.23.0'])\n"
        "python_requirement(name='uvicorn', requirements=['uvicorn'])\n"
        "python_requirement(name='httptools', requirements=['httptools'])\n"
        "python_requirement(name='uvloop', requirements=['uvloop'])\n"
        "python_requirement(name='rich', requirements=['rich'])\n"
    )
    return files


@pytest.fixture
def rule_runner() -> RuleRunner:
    runner = RuleRunner(
        rules=[
            *register.rules(),
            *import_inference.rules(),
            *target_types_rules.rules(),
            *pex_from_targets.rules(),
            *package_pex_binary.rules(),
            QueryRule(GeneratedSources, [GeneratePythonFromWeaverComponentsRequest]),
            QueryRule(HydratedSources, [HydrateSourcesRequest]),
            QueryRule(Addresses, [DependenciesRequest]),
            QueryRule(BuiltPackage, [WeaverAppFieldSet]),
            QueryRule(RunRequest, [WeaverRolloutFieldSet]),
        ],
        target_types=[
            *register.target_types(),
            PythonSourcesGeneratorTarget,
            PythonRequirementTarget,
            FilesGeneratorTarget,
        ],
    )
    configure(runner)
    runner.write_files({**runtime_sources(), **HELLO})
    return runner


def configure(runner: RuleRunner, *extra_args: str) -> None:
    """Options for the scratch repo; machine settings (pex CLI, CA, pip) come from PANTS_* vars."""
    runner.set_options(
        [
            "--source-root-patterns=['src/python']",
            "--python-interpreter-constraints=['CPython>=3.11,<3.14']",
            "--python-bootstrap-search-path=['<PATH>', '<PYENV>']",
            "--python-infer-use-rust-parser",
            *extra_args,
        ],
        env={k: v for k, v in os.environ.items() if k.startswith("PANTS_")},
        env_inherit={"PATH", "PYENV_ROOT", "HOME"},
    )
