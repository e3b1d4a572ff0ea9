from __future__ import annotations

import pytest
from pants.engine.addresses import Address, Addresses
from pants.engine.internals.scheduler import ExecutionError
from pants.engine.target import Dependencies, DependenciesRequest
from pants.testutil.rule_runner import RuleRunner

from weaver_pants.conftest import COMPONENTS, configure
from weaver_pants.inference_rules import imported_modules, package_prefixes


def dependencies(rule_runner: RuleRunner, address: Address) -> set[str]:
    target = rule_runner.get_target(address)
    return {a.spec for a in rule_runner.request(Addresses, [DependenciesRequest(target[Dependencies])])}


def test_generated_module_and_app_name_strings_resolve_to_the_components(rule_runner: RuleRunner) -> None:
    assert COMPONENTS.spec in dependencies(rule_runner, Address("src/python/client", relative_file_path="use.py"))


def test_components_depend_on_their_modules_and_the_runtime(rule_runner: RuleRunner) -> None:
    specs = dependencies(rule_runner, COMPONENTS)
    assert {"src/python/shop/prices.py", "src/python/shop/main.py", "src/python/weaver/cli.py"} <= specs
    # imported by every generated module (owned, in this test tree, by the target in weaver/)
    assert "src/python/weaver/runtime/codegen.py:../weaver" in specs


def test_app_depends_on_its_main_package_and_the_entry_point(rule_runner: RuleRunner) -> None:
    specs = dependencies(rule_runner, Address("src/python/shop", target_name="app"))
    assert {COMPONENTS.spec, "src/python/weaver/app_main.py"} <= specs


def test_unmarked_component_module_fails_with_the_fix(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "src/python/stray/BUILD": "python_sources()\n",
            "src/python/stray/thing.py": (
                "import weaver\n\n\nclass Thing(weaver.Component):\n    async def go(self) -> None: ...\n"
            ),
        }
    )
    with pytest.raises(ExecutionError) as err:
        dependencies(rule_runner, Address("src/python/stray", relative_file_path="thing.py"))
    assert "src/python/stray/thing.py:4" in str(err.value)
    assert "`weaver_components()` to src/python/stray/BUILD" in str(err.value)


def test_unmarked_components_can_be_a_warning_or_ignored(rule_runner: RuleRunner) -> None:
    rule_runner.write_files(
        {
            "src/python/stray/BUILD": "python_sources()\n",
            "src/python/stray/thing.py": "import weaver\n\n\nclass Thing(weaver.Component):\n    pass\n",
        }
    )
    for behaviour in ("warning", "ignore"):
        configure(rule_runner, f"--weaver-unmarked-components={behaviour}")
        dependencies(rule_runner, Address("src/python/stray", relative_file_path="thing.py"))  # no error


def test_import_scanning_sees_both_import_forms() -> None:
    source = b"import a.b\nfrom c.d import e\n  from f import g\nx = 'import h'\n"
    assert imported_modules(source) == {"a.b", "c.d", "f"}
    assert package_prefixes("a.b.c") == ["a.b.c", "a.b", "a"]
