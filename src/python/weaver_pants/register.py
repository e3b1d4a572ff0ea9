"""Registers the weaver backend with Pants (`backend_packages = ["weaver_pants"]`)."""

from weaver_pants import codegen_rules, inference_rules, package_rules, protoc_rules, run_rules, tool
from weaver_pants import targets as weaver_targets


def rules():  # type: ignore[no-untyped-def]
    return [
        *tool.rules(),
        *codegen_rules.rules(),
        *inference_rules.rules(),
        *package_rules.rules(),
        *run_rules.rules(),
        *protoc_rules.rules(),
    ]


def target_types():  # type: ignore[no-untyped-def]
    return [
        weaver_targets.WeaverComponentsTarget,
        weaver_targets.WeaverAppTarget,
        weaver_targets.WeaverRolloutTarget,
        weaver_targets.GrpcPythonStubsTarget,
    ]
