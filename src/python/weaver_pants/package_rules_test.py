from __future__ import annotations

import hashlib
import json

from pants.core.goals.package import BuiltPackage
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.testutil.rule_runner import RuleRunner

from weaver_pants.conftest import configure
from weaver_pants.package_rules import WeaverAppFieldSet

APP = Address("src/python/shop", target_name="app")


def package(rule_runner: RuleRunner) -> tuple[bytes, dict]:  # type: ignore[type-arg]
    field_set = WeaverAppFieldSet.create(rule_runner.get_target(APP))
    built = rule_runner.request(BuiltPackage, [field_set])
    files = {c.path: c.content for c in rule_runner.request(DigestContents, [built.digest])}
    assert set(files) == {"src.python.shop/app.pex", "src.python.shop/app.manifest.json"}
    return files["src.python.shop/app.pex"], json.loads(files["src.python.shop/app.manifest.json"])


def test_version_is_the_pex_sha256_and_changes_with_a_component(rule_runner: RuleRunner) -> None:
    pex, manifest = package(rule_runner)
    assert manifest["version"] == hashlib.sha256(pex).hexdigest()
    assert manifest["app"] == "shop"
    assert manifest["main"] == "shop"
    names = json.dumps(manifest)
    assert "shop.prices.Prices" in names  # components and call graph come from `weaver describe`
    assert sorted(g["components"] for g in manifest["groups"]) == [["shop.prices.Prices"], ["weaver.Main"]]

    rule_runner.write_files(
        {
            "src/python/shop/prices.py": (
                "import weaver\n\n\n"
                "class Prices(weaver.Component):\n"
                "    async def price(self, item: str) -> int: ...\n\n\n"
                "class PricesImpl(weaver.Implements[Prices]):\n"
                "    async def price(self, item: str) -> int:\n"
                "        return 2 * len(item)\n"
            )
        }
    )
    changed_pex, changed = package(rule_runner)
    assert changed["version"] == hashlib.sha256(changed_pex).hexdigest()
    assert changed["version"] != manifest["version"]


def test_same_sources_give_the_same_version(rule_runner: RuleRunner) -> None:
    first = package(rule_runner)[1]["version"]
    configure(rule_runner, "--no-local-cache")
    assert package(rule_runner)[1]["version"] == first
