"""Codegen as a build rule: `weaver_components` sources -> the package's `weaver_gen.py`."""

from __future__ import annotations

from collections.abc import Iterable

from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import PythonResolveField, PythonSourceField
from pants.backend.python.util_rules.pex import PexProcess
from pants.core.util_rules.source_files import SourceFiles, SourceFilesRequest
from pants.engine.fs import AddPrefix, Digest, MergeDigests, RemovePrefix, Snapshot
from pants.engine.process import FallibleProcessResult
from pants.engine.rules import Get, MultiGet, Rule, collect_rules, rule
from pants.engine.target import (
    GeneratedSources,
    GenerateSourcesRequest,
    TransitiveTargets,
    TransitiveTargetsRequest,
)
from pants.engine.unions import UnionRule
from pants.source.source_root import SourceRoot, SourceRootRequest, SourceRootsRequest, SourceRootsResult
from pants.util.logging import LogLevel

from weaver_pants.targets import WeaverComponentsSourcesField
from weaver_pants.tool import WeaverTool, WeaverToolRequest

OUT_DIR = "__weaver_out"


class WeaverCodegenError(Exception):
    """The generator rejected the components; the message holds its file:line diagnostics."""


class GeneratePythonFromWeaverComponentsRequest(GenerateSourcesRequest):
    input = WeaverComponentsSourcesField
    output = PythonSourceField


async def source_root_args(files: tuple[str, ...]) -> list[str]:
    """`--root=R` for each source root holding one of `files` (the generator resolves imports there)."""
    roots = await Get(SourceRootsResult, SourceRootsRequest.for_files(files))
    return sorted({f"--root={root.path}" for root in roots.path_to_root.values()})


@rule(desc="Generating weaver code", level=LogLevel.DEBUG)
async def generate_weaver_code(
    request: GeneratePythonFromWeaverComponentsRequest, python_setup: PythonSetup
) -> GeneratedSources:
    target = request.protocol_target
    resolve = target[PythonResolveField].normalized_value(python_setup)
    transitive = await Get(TransitiveTargets, TransitiveTargetsRequest([target.address]))
    # The generator reads the modules that the components import (to resolve their types),
    # never generated code: `enable_codegen=False` keeps the rule free of cycles.
    context_sources, own_sources, tool = await MultiGet(
        Get(
            SourceFiles,
            SourceFilesRequest(
                (t[PythonSourceField] for t in transitive.closure if t.has_field(PythonSourceField)),
                for_sources_types=(PythonSourceField,),
                enable_codegen=False,
            ),
        ),
        Get(SourceFiles, SourceFilesRequest([target[WeaverComponentsSourcesField]])),
        Get(WeaverTool, WeaverToolRequest(resolve)),
    )
    files = own_sources.snapshot.files
    root_args = await source_root_args((*files, *context_sources.snapshot.files))
    own_root = await Get(SourceRoot, SourceRootRequest.for_target(target))
    input_digest = await Get(
        Digest, MergeDigests([context_sources.snapshot.digest, own_sources.snapshot.digest])
    )
    result = await Get(
        FallibleProcessResult,
        PexProcess(
            tool.pex,
            argv=["generate", *root_args, f"--out={OUT_DIR}", *files],
            input_digest=input_digest,
            output_directories=(OUT_DIR,),
            description=f"Generating weaver code for {target.address}",
            level=LogLevel.DEBUG,
        ),
    )
    if result.exit_code != 0:
        message = (result.stderr.decode() or result.stdout.decode()).strip()
        raise WeaverCodegenError(
            f"weaver codegen failed for {target.address}:\n{message}\n"
            f"(run `pants export-codegen {target.address}` after fixing to see the output)"
        )
    # The generator writes paths relative to the source root; put the root back in front.
    stripped = await Get(Digest, RemovePrefix(result.output_digest, OUT_DIR))
    if own_root.path != ".":
        stripped = await Get(Digest, AddPrefix(stripped, own_root.path))
    output = await Get(Snapshot, Digest, stripped)
    return GeneratedSources(output)


def rules() -> Iterable[Rule | UnionRule]:
    return [
        *collect_rules(),
        UnionRule(GenerateSourcesRequest, GeneratePythonFromWeaverComponentsRequest),
    ]


