from __future__ import annotations

import pytest
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.engine.target import GeneratedSources, HydratedSources, HydrateSourcesRequest
from pants.testutil.rule_runner import RuleRunner

from weaver_pants.codegen_rules import GeneratePythonFromWeaverComponentsRequest
from weaver_pants.conftest import COMPONENTS
from weaver_pants.targets import WeaverComponentsSourcesField


def generate(rule_runner: RuleRunner) -> dict[str, str]:
    target = rule_runner.get_target(COMPONENTS)
    hydrated = rule_runner.request(HydratedSources, [HydrateSourcesRequest(target[WeaverComponentsSourcesField])])
    sources = rule_runner.request(
        GeneratedSources, [GeneratePythonFromWeaverComponentsRequest(hydrated.snapshot, target)]
    )
    contents = rule_runner.request(DigestContents, [sources.snapshot.digest])
    return {c.path: c.content.decode() for c in contents}


def test_generates_weaver_gen_under_the_source_root(rule_runner: RuleRunner) -> None:
    files = generate(rule_runner)
    assert list(files) == ["src/python/shop/weaver_gen.py"]
    text = files["src/python/shop/weaver_gen.py"]
    assert "shop.prices.Prices" in text
    assert "import shop.prices" in text


def test_a_codegen_error_fails_the_build_with_file_and_line(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "src/python/shop/prices.py": (
                "import weaver\n\n\n"
                "class Prices(weaver.Component):\n"
                "    def price(self, item: str) -> int: ...\n\n\n"
                "class PricesImpl(weaver.Implements[Prices]):\n"
                "    def price(self, item: str) -> int:\n"
                "        return 1\n"
            )
        }
    )
    with pytest.raises(ExecutionError) as err:
        generate(rule_runner)
    assert "prices.py:5" in str(err.value)
    assert "async" in str(err.value)
