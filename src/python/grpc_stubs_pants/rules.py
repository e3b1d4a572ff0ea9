"""`grpc_python_stubs`: protobuf/gRPC Python modules generated at build time by grpcio-tools."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import DefaultDict

from pants.backend.python.dependency_inference.module_mapper import (
    FirstPartyPythonMappingImpl,
    FirstPartyPythonMappingImplMarker,
    ModuleProvider,
    ModuleProviderType,
    PythonModuleOwners,
    PythonModuleOwnersRequest,
    ResolveName,
)
from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import EntryPoint, PythonResolveField, PythonSourceField
from pants.backend.python.util_rules.pex import Pex, PexProcess
from pants.backend.python.util_rules.pex_from_targets import PexFromTargetsRequest
from pants.engine.fs import AddPrefix, CreateDigest, Digest, Directory, MergeDigests, RemovePrefix, Snapshot
from pants.engine.process import ProcessResult
from pants.engine.rules import Get, MultiGet, Rule, collect_rules, rule
from pants.engine.target import (
    AllTargets,
    FieldSet,
    GeneratedSources,
    GenerateSourcesRequest,
    InferDependenciesRequest,
    InferredDependencies,
)
from pants.engine.unions import UnionRule
from pants.source.source_root import SourceRoot, SourceRootRequest
from pants.util.logging import LogLevel

from grpc_stubs_pants.targets import GrpcProtoSourcesField

PROTOC_MODULE = "grpc_tools.protoc"
RUNTIME_MODULES = ("grpc", "google.protobuf")
OUT_DIR = "__protoc_out"


class MissingGrpcToolsError(Exception):
    """The resolve has no `grpcio-tools` requirement to run protoc from."""


def generated_modules(proto_file: str) -> list[str]:
    """`a/b.proto` (relative to its directory) -> the top-level modules protoc writes for it."""
    stem = os.path.basename(proto_file)[: -len(".proto")]
    return [f"{stem}_pb2", f"{stem}_pb2_grpc"]


class GeneratePythonFromGrpcProtosRequest(GenerateSourcesRequest):
    input = GrpcProtoSourcesField
    output = PythonSourceField


@rule(desc="Generating Python from .proto files with grpcio-tools", level=LogLevel.DEBUG)
async def generate_grpc_python(
    request: GeneratePythonFromGrpcProtosRequest, python_setup: PythonSetup
) -> GeneratedSources:
    target = request.protocol_target
    resolve = target[PythonResolveField].normalized_value(python_setup)
    owners = await Get(PythonModuleOwners, PythonModuleOwnersRequest(PROTOC_MODULE, resolve=resolve))
    if not owners.unambiguous:
        raise MissingGrpcToolsError(
            f"{target.address}: no requirement provides `{PROTOC_MODULE}` in the resolve {resolve}; "
            "add `grpcio-tools` to its requirements."
        )
    protoc, source_root = await MultiGet(
        Get(
            Pex,
            PexFromTargetsRequest(
                owners.unambiguous[:1],
                output_filename="protoc.pex",
                internal_only=True,
                main=EntryPoint(PROTOC_MODULE),
                description=f"Building grpcio-tools' protoc for the resolve {resolve}",
            ),
        ),
        Get(SourceRoot, SourceRootRequest.for_target(target)),
    )
    proto_dir = target.address.spec_path
    files = [os.path.relpath(f, proto_dir) for f in request.protocol_sources.files]
    protos, out_dir = await MultiGet(
        Get(Digest, RemovePrefix(request.protocol_sources.digest, proto_dir)),
        Get(Digest, CreateDigest([Directory(OUT_DIR)])),
    )
    result = await Get(
        ProcessResult,
        PexProcess(
            protoc,
            argv=["-I.", f"--python_out={OUT_DIR}", f"--pyi_out={OUT_DIR}", f"--grpc_python_out={OUT_DIR}", *files],
            input_digest=await Get(Digest, MergeDigests([protos, out_dir])),
            output_directories=(OUT_DIR,),
            description=f"Generating Python stubs for {target.address}",
            level=LogLevel.DEBUG,
        ),
    )
    output = await Get(Digest, RemovePrefix(result.output_digest, OUT_DIR))
    if source_root.path != ".":
        output = await Get(Digest, AddPrefix(output, source_root.path))
    return GeneratedSources(await Get(Snapshot, Digest, output))


class GrpcStubsMappingMarker(FirstPartyPythonMappingImplMarker):
    pass


@rule(desc="Mapping generated gRPC modules to their targets", level=LogLevel.DEBUG)
async def map_grpc_stub_modules(
    all_targets: AllTargets, python_setup: PythonSetup, _: GrpcStubsMappingMarker
) -> FirstPartyPythonMappingImpl:
    mapping: DefaultDict[ResolveName, DefaultDict[str, list[ModuleProvider]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for tgt in all_targets:
        if not tgt.has_field(GrpcProtoSourcesField):
            continue
        resolve = tgt[PythonResolveField].normalized_value(python_setup)
        for path in tgt[GrpcProtoSourcesField].value or ():
            for module in generated_modules(path):
                mapping[resolve][module].append(ModuleProvider(tgt.address, ModuleProviderType.IMPL))
    return FirstPartyPythonMappingImpl.create(mapping)


@dataclass(frozen=True)
class GrpcStubsInferenceFieldSet(FieldSet):
    required_fields = (GrpcProtoSourcesField, PythonResolveField)
    sources: GrpcProtoSourcesField
    resolve: PythonResolveField


class InferGrpcStubsDependencies(InferDependenciesRequest[GrpcStubsInferenceFieldSet]):
    infer_from = GrpcStubsInferenceFieldSet


@rule(desc="Inferring dependencies of generated gRPC modules", level=LogLevel.DEBUG)
async def infer_grpc_stubs_dependencies(
    request: InferGrpcStubsDependencies, python_setup: PythonSetup
) -> InferredDependencies:
    resolve = request.field_set.resolve.normalized_value(python_setup)
    owners = await MultiGet(
        Get(PythonModuleOwners, PythonModuleOwnersRequest(m, resolve=resolve)) for m in RUNTIME_MODULES
    )
    return InferredDependencies(sorted({a for o in owners for a in o.unambiguous}))


def rules() -> Iterable[Rule | UnionRule]:
    return [
        *collect_rules(),
        UnionRule(GenerateSourcesRequest, GeneratePythonFromGrpcProtosRequest),
        UnionRule(FirstPartyPythonMappingImplMarker, GrpcStubsMappingMarker),
        UnionRule(InferDependenciesRequest, InferGrpcStubsDependencies),
    ]


