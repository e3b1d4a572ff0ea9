"""Registers the weaver backend with Pants (`backend_packages = ["weaver_pants"]`)."""

from __future__ import annotations

from collections.abc import Iterable

from pants.engine.rules import Rule
from pants.engine.target import Target
from pants.engine.unions import UnionRule

from weaver_pants import codegen_rules, inference_rules, package_rules, run_rules, tool
from weaver_pants import targets as weaver_targets
from weaver_pants.subsystem import WeaverSubsystem


def rules() -> Iterable[Rule | UnionRule]:
    return [
        *WeaverSubsystem.rules(),
        *tool.rules(),
        *codegen_rules.rules(),
        *inference_rules.rules(),
        *package_rules.rules(),
        *run_rules.rules(),
    ]


def target_types() -> list[type[Target]]:
    return [
        weaver_targets.WeaverComponentsTarget,
        weaver_targets.WeaverAppTarget,
        weaver_targets.WeaverRolloutTarget,
    ]
