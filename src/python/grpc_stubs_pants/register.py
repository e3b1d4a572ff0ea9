"""Registers the gRPC stubs backend (`backend_packages = ["grpc_stubs_pants"]`).

Separate from the weaver backend: only the gRPC baseline uses it, and a weaver user needs none of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pants.engine.rules import Rule
from pants.engine.target import Target
from pants.engine.unions import UnionRule

from grpc_stubs_pants import rules as stub_rules
from grpc_stubs_pants.targets import GrpcPythonStubsTarget


def rules() -> Iterable[Rule | UnionRule]:
    return stub_rules.rules()


def target_types() -> list[type[Target]]:
    return [GrpcPythonStubsTarget]
