from __future__ import annotations

import pytest
from pants.core.goals.run import RunRequest
from pants.engine.addresses import Address
from pants.engine.fs import DigestContents
from pants.engine.internals.scheduler import ExecutionError
from pants.testutil.rule_runner import RuleRunner

from weaver_pants.run_rules import WeaverRolloutFieldSet


def run_request(rule_runner: RuleRunner, address: Address) -> RunRequest:
    field_set = WeaverRolloutFieldSet.create(rule_runner.get_target(address))
    return rule_runner.request(RunRequest, [field_set])


def test_rollout_builds_the_app_and_passes_pex_and_manifest(rule_runner: RuleRunner) -> None:
    request = run_request(rule_runner, Address("deploy", target_name="rollout"))
    args = list(request.args)
    assert args[2:4] == ["rollout", "deploy"]
    assert args[args.index("--pex") + 1] == "{chroot}/src.python.shop/app.pex"
    assert args[args.index("--manifest") + 1] == "{chroot}/src.python.shop/app.manifest.json"
    assert args[-2:] == ["--duration", "1s"]
    files = {c.path for c in rule_runner.request(DigestContents, [request.digest])}
    assert {"src.python.shop/app.pex", "src.python.shop/app.manifest.json"} <= files
    assert any(f.startswith("weaver-tool.pex") for f in files)


def test_rollout_of_a_non_app_is_an_error(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({"deploy/BUILD": 'weaver_rollout(name="rollout", app="src/python/client:client")\n'})
    with pytest.raises(ExecutionError, match="is not a `weaver_app` target"):
        run_request(rule_runner, Address("deploy", target_name="rollout"))


def test_a_kube_rollout_runs_weaver_kube_rollout_on_the_pex(rule_runner: RuleRunner) -> None:
    rule_runner.write_files({
        "deploy/BUILD": 'weaver_rollout(name="kube", app="src/python/shop:app", deployer="kube", '
                        'args=["--config", "kube.toml"])\n',
    })  # fmt: skip
    args = list(run_request(rule_runner, Address("deploy", target_name="kube")).args)
    assert args[2:] == ["kube", "rollout", "{chroot}/src.python.shop/app.pex", "--config", "kube.toml"]
