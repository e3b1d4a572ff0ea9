"""`pants run` of a `weaver_rollout`: build the app's PEX, then hand it to `weaver rollout`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import InterpreterConstraintsField, PythonResolveField
from pants.backend.python.util_rules.interpreter_constraints import InterpreterConstraints
from pants.backend.python.util_rules.pex_environment import PythonExecutable
from pants.core.goals.package import BuiltPackage
from pants.core.goals.run import RunFieldSet, RunInSandboxBehavior, RunRequest
from pants.engine.addresses import Addresses, UnparsedAddressInputs
from pants.engine.fs import Digest, MergeDigests
from pants.engine.rules import Get, MultiGet, Rule, collect_rules, rule
from pants.engine.target import Targets
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from weaver_pants.package_rules import WeaverAppFieldSet
from weaver_pants.targets import WeaverRolloutAppField, WeaverRolloutArgsField, WeaverRolloutDeployerField
from weaver_pants.tool import WeaverTool, WeaverToolRequest


class NotAWeaverAppError(Exception):
    """`weaver_rollout(app=...)` does not name a `weaver_app`."""


@dataclass(frozen=True)
class WeaverRolloutFieldSet(RunFieldSet):
    required_fields = (WeaverRolloutAppField,)
    run_in_sandbox_behavior = RunInSandboxBehavior.NOT_SUPPORTED
    app: WeaverRolloutAppField
    args: WeaverRolloutArgsField
    deployer: WeaverRolloutDeployerField


@rule(desc="Preparing a weaver rollout", level=LogLevel.DEBUG)
async def run_weaver_rollout(field_set: WeaverRolloutFieldSet, python_setup: PythonSetup) -> RunRequest:
    addresses = await Get(
        Addresses, UnparsedAddressInputs([field_set.app.value or ""], owning_address=field_set.address,
                                         description_of_origin=f"the `app` field of {field_set.address}")
    )
    targets = await Get(Targets, Addresses, addresses)
    app = targets[0]
    if not WeaverAppFieldSet.is_applicable(app):
        raise NotAWeaverAppError(f"{field_set.address}: app={field_set.app.value!r} is not a `weaver_app` target.")
    app_fields = WeaverAppFieldSet.create(app)
    resolve = app[PythonResolveField].normalized_value(python_setup)
    built, tool = await MultiGet(
        Get(BuiltPackage, WeaverAppFieldSet, app_fields),
        Get(WeaverTool, WeaverToolRequest(resolve, zipapp=True)),
    )
    python = await Get(
        PythonExecutable,
        InterpreterConstraints,
        InterpreterConstraints.create_from_compatibility_fields(
            [app[InterpreterConstraintsField]], python_setup
        ),
    )
    digest = await Get(Digest, MergeDigests([built.digest, tool.pex.digest]))
    pex_path, manifest_path = (a.relpath or "" for a in built.artifacts)
    tool_argv = [python.path, os.path.join("{chroot}", tool.pex.name)]
    if field_set.deployer.value == "kube":  # the manifest is beside the PEX, where `weaver kube` looks
        command = ["kube", "rollout", os.path.join("{chroot}", pex_path)]
    else:
        command = ["rollout", "deploy", "--pex", os.path.join("{chroot}", pex_path),
                   "--manifest", os.path.join("{chroot}", manifest_path)]  # fmt: skip
    return RunRequest(digest=digest, args=[*tool_argv, *command, *(field_set.args.value or ())])


def rules() -> Iterable[Rule | UnionRule]:
    return [*collect_rules(), *WeaverRolloutFieldSet.rules()]
