"""The `weaver` command as a build tool: a PEX of the runtime library, run under the app's Python.

The plugin runs inside Pants' own CPython 3.9 and cannot parse the apps' 3.11+ syntax, so the
code generator (the same code as `weaver generate`) runs as a process. The PEX is built from
whichever target provides `weaver.cli` in the resolve: the first-party sources in this repo, the
`weaver` wheel in a user's repo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pants.backend.python.dependency_inference.module_mapper import (
    PythonModuleOwners,
    PythonModuleOwnersRequest,
)
from pants.backend.python.target_types import EntryPoint
from pants.backend.python.util_rules.pex import Pex
from pants.backend.python.util_rules.pex_from_targets import PexFromTargetsRequest
from pants.engine.rules import Get, Rule, collect_rules, rule
from pants.engine.unions import UnionRule

TOOL_MODULE = "weaver.cli"


class MissingWeaverRuntimeError(Exception):
    """No target provides the `weaver` runtime library in the resolve."""


@dataclass(frozen=True)
class WeaverToolRequest:
    resolve: str
    zipapp: bool = False
    """A single-file PEX (for `pants run`, whose long-lived children copy it) or a faster packed one."""


@dataclass(frozen=True)
class WeaverTool:
    pex: Pex


@rule(desc="Building the weaver tool")
async def build_weaver_tool(request: WeaverToolRequest) -> WeaverTool:
    owners = await Get(PythonModuleOwners, PythonModuleOwnersRequest(TOOL_MODULE, resolve=request.resolve))
    if len(owners.unambiguous) != 1:
        found = ", ".join(str(a) for a in owners.unambiguous + owners.ambiguous) or "none"
        raise MissingWeaverRuntimeError(
            f"weaver needs exactly one target providing `{TOOL_MODULE}` in the resolve "
            f"`{request.resolve}` (found: {found}). Add `weaver` to that resolve's requirements "
            "(a `python_requirement`), or `python_sources()` for the weaver sources in this repo."
        )
    pex = await Get(
        Pex,
        PexFromTargetsRequest(
            owners.unambiguous,
            output_filename="weaver-tool.pex",
            internal_only=not request.zipapp,
            main=EntryPoint(TOOL_MODULE, "main"),
            description=f"Building the weaver tool for the resolve {request.resolve}",
        ),
    )
    return WeaverTool(pex)


def rules() -> Iterable[Rule | UnionRule]:
    return collect_rules()
