"""Dependency inference in both directions around generated `weaver_gen` modules.

- `import pkg.weaver_gen` resolves to the package's `weaver_components` target.
- A `weaver_components` target depends on its component modules, on the weaver runtime, and
  on the `weaver_components` of every package its modules import (their generated code imports
  each other's).
- A Python module that names an app's package in a string (`weaver.run("apps.hello")`,
  `weaver.testing.start("apps.hello")`) depends on that package's `weaver_components`, and a
  `weaver_app` on its main package's.
- A module that defines a component in a directory without `weaver_components()` fails the
  build with the fix.
"""

from __future__ import annotations

import logging
import os
import re
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
from pants.backend.python.target_types import PythonResolveField, PythonSourceField
from pants.core.util_rules.stripped_source_files import StrippedFileName, StrippedFileNameRequest
from pants.engine.addresses import Address
from pants.engine.fs import Digest, DigestContents
from pants.engine.rules import Get, MultiGet, Rule, collect_rules, rule
from pants.engine.target import (
    AllTargets,
    FieldSet,
    HydratedSources,
    HydrateSourcesRequest,
    InferDependenciesRequest,
    InferredDependencies,
)
from pants.engine.unions import UnionRule
from pants.util.logging import LogLevel

from weaver_pants.subsystem import UnmarkedComponents, WeaverSubsystem
from weaver_pants.targets import (
    GENERATED_MODULE,
    WeaverAppDependenciesField,
    WeaverAppMainField,
    WeaverComponentsDependenciesField,
    WeaverComponentsSourcesField,
)
from weaver_pants.tool import TOOL_MODULE

logger = logging.getLogger(__name__)

RUNTIME_MODULE = "weaver"
APP_ENTRY_MODULE = "weaver.app_main"
GENERATED_CODE_IMPORTS = ("weaver", "weaver.runtime.codegen")
"""What every `weaver_gen.py` imports besides the app's own modules (see weaver.codegen.emit)."""
_IMPORT = re.compile(rb"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)
_STRING = re.compile(rb"""["']([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)["']""")
_DEFINES_COMPONENT = re.compile(
    rb"^class\s+(\w+)\s*\([^)]*\b(?:weaver\.)?(?:Component|Implements\s*\[)", re.MULTILINE
)


class UnmarkedComponentsError(Exception):
    """A module defines components but its directory has no `weaver_components` target."""


@dataclass(frozen=True)
class WeaverPackages:
    """Each package (dotted) that has a `weaver_components` target, per resolve."""

    by_resolve: dict[str, dict[str, Address]]

    def lookup(self, resolve: str, package: str) -> Address | None:
        return self.by_resolve.get(resolve, {}).get(package)

    def __hash__(self) -> int:
        return hash(tuple(sorted((r, tuple(sorted(p.items()))) for r, p in self.by_resolve.items())))


@rule(desc="Finding weaver component packages", level=LogLevel.DEBUG)
async def find_weaver_packages(all_targets: AllTargets, python_setup: PythonSetup) -> WeaverPackages:
    targets = [t for t in all_targets if t.has_field(WeaverComponentsSourcesField)]
    stripped = await MultiGet(
        Get(StrippedFileName, StrippedFileNameRequest(os.path.join(t.address.spec_path, "__init__.py")))
        for t in targets
    )
    by_resolve: DefaultDict[str, dict[str, Address]] = defaultdict(dict)
    for tgt, name in zip(targets, stripped):
        package = os.path.dirname(name.value).replace("/", ".")
        by_resolve[tgt[PythonResolveField].normalized_value(python_setup)][package] = tgt.address
    return WeaverPackages(dict(by_resolve))


class WeaverGenMappingMarker(FirstPartyPythonMappingImplMarker):
    pass


@rule(desc="Mapping weaver_gen modules to their targets", level=LogLevel.DEBUG)
async def map_weaver_gen_modules(packages: WeaverPackages, _: WeaverGenMappingMarker) -> FirstPartyPythonMappingImpl:
    mapping: DefaultDict[ResolveName, DefaultDict[str, list[ModuleProvider]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for resolve, by_package in packages.by_resolve.items():
        for package, address in by_package.items():
            module = f"{package}.{GENERATED_MODULE}"
            mapping[resolve][module].append(ModuleProvider(address, ModuleProviderType.IMPL))
    return FirstPartyPythonMappingImpl.create(mapping)


def imported_modules(source: bytes) -> set[str]:
    """Top-of-line `import x.y` / `from x.y import` names (a regex: the plugin runs on 3.9)."""
    return {(m.group(1) or m.group(2)).decode() for m in _IMPORT.finditer(source)}


def package_prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class WeaverComponentsInferenceFieldSet(FieldSet):
    required_fields = (WeaverComponentsSourcesField, WeaverComponentsDependenciesField, PythonResolveField)
    sources: WeaverComponentsSourcesField
    dependencies: WeaverComponentsDependenciesField
    resolve: PythonResolveField


class InferWeaverComponentsDependencies(InferDependenciesRequest[WeaverComponentsInferenceFieldSet]):
    infer_from = WeaverComponentsInferenceFieldSet


@rule(desc="Inferring weaver_components dependencies", level=LogLevel.DEBUG)
async def infer_weaver_components_dependencies(
    request: InferWeaverComponentsDependencies, packages: WeaverPackages, python_setup: PythonSetup
) -> InferredDependencies:
    fs = request.field_set
    resolve = fs.resolve.normalized_value(python_setup)
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(fs.sources))
    contents = await Get(DigestContents, Digest, hydrated.snapshot.digest)
    stripped = await MultiGet(Get(StrippedFileName, StrippedFileNameRequest(f)) for f in hydrated.snapshot.files)
    own_modules = [s.value[: -len(".py")].replace("/", ".").removesuffix(".__init__") for s in stripped]
    owners = await MultiGet(
        Get(PythonModuleOwners, PythonModuleOwnersRequest(m, resolve=resolve))
        for m in [*own_modules, *GENERATED_CODE_IMPORTS, TOOL_MODULE]
    )
    include: set[Address] = {a for o in owners for a in o.unambiguous}
    for content in contents:
        for module in imported_modules(content.content):
            for prefix in package_prefixes(module):
                address = packages.lookup(resolve, prefix)
                if address and address != fs.address:
                    include.add(address)
    include.discard(fs.address)
    return InferredDependencies(sorted(include))


@dataclass(frozen=True)
class PythonAppReferenceFieldSet(FieldSet):
    required_fields = (PythonSourceField, PythonResolveField)
    source: PythonSourceField
    resolve: PythonResolveField


class InferPythonAppReferences(InferDependenciesRequest[PythonAppReferenceFieldSet]):
    infer_from = PythonAppReferenceFieldSet


@rule(desc="Inferring dependencies on weaver apps named in strings", level=LogLevel.DEBUG)
async def infer_python_app_references(
    request: InferPythonAppReferences, packages: WeaverPackages, python_setup: PythonSetup, weaver: WeaverSubsystem
) -> InferredDependencies:
    fs = request.field_set
    resolve = fs.resolve.normalized_value(python_setup)
    hydrated = await Get(HydratedSources, HydrateSourcesRequest(fs.source))
    contents = await Get(DigestContents, Digest, hydrated.snapshot.digest)
    include: set[Address] = set()
    runtime = await Get(PythonModuleOwners, PythonModuleOwnersRequest(RUNTIME_MODULE, resolve=resolve))
    runtime_dirs = tuple(a.spec_path + "/" for a in runtime.unambiguous)
    for content in contents:
        in_runtime = content.path.startswith(runtime_dirs)
        if b"weaver" not in content.content or (in_runtime and not _is_test(content.path)):
            continue  # the runtime's own docstrings name example apps: never depend on them
        for match in _STRING.finditer(content.content):
            address = packages.lookup(resolve, match.group(1).decode())
            if address:
                include.add(address)
        if not in_runtime:  # the runtime defines Component and Main itself
            problem = _unmarked(content.path, content.content, fs.address, packages)
            if problem and weaver.unmarked_components == UnmarkedComponents.error:
                raise UnmarkedComponentsError(problem)
            if problem and weaver.unmarked_components == UnmarkedComponents.warning:
                logger.warning(problem)
    return InferredDependencies(sorted(include))


def _is_test(path: str) -> bool:
    name = os.path.basename(path)
    return name.endswith("_test.py") or name.startswith("test_") or name == "conftest.py"


def _unmarked(path: str, source: bytes, owner: Address, packages: WeaverPackages) -> str:
    """The problem with a component defined where no `weaver_components()` target generates it ("" if none)."""
    if _is_test(path) or os.path.basename(path) == f"{GENERATED_MODULE}.py":
        return ""
    match = _DEFINES_COMPONENT.search(source)
    if not match:
        return ""
    directory = os.path.dirname(path)
    if any(a.spec_path == directory for by_package in packages.by_resolve.values() for a in by_package.values()):
        return ""
    line = source[: match.start()].count(b"\n") + 1
    return (
        f"{path}:{line}: class {match.group(1).decode()} is a weaver component, but {directory}/BUILD "
        f"has no `weaver_components()` target, so its code is never generated (owner: {owner}).\n"
        f"Fix: add the line `weaver_components()` to {directory}/BUILD."
    )


@dataclass(frozen=True)
class WeaverAppInferenceFieldSet(FieldSet):
    required_fields = (WeaverAppMainField, WeaverAppDependenciesField, PythonResolveField)
    main: WeaverAppMainField
    dependencies: WeaverAppDependenciesField
    resolve: PythonResolveField


class InferWeaverAppDependencies(InferDependenciesRequest[WeaverAppInferenceFieldSet]):
    infer_from = WeaverAppInferenceFieldSet


class MissingAppPackageError(Exception):
    """A `weaver_app`'s main package has no `weaver_components` target."""


@rule(desc="Inferring weaver_app dependencies", level=LogLevel.DEBUG)
async def infer_weaver_app_dependencies(
    request: InferWeaverAppDependencies, packages: WeaverPackages, python_setup: PythonSetup
) -> InferredDependencies:
    fs = request.field_set
    resolve = fs.resolve.normalized_value(python_setup)
    main = fs.main.value or ""
    address = packages.lookup(resolve, main)
    if address is None:
        known = ", ".join(sorted(packages.by_resolve.get(resolve, {}))) or "none"
        raise MissingAppPackageError(
            f"{fs.address}: main={main!r} is not a package with a `weaver_components()` target in the "
            f"resolve {resolve} (known: {known})."
        )
    entry = await Get(PythonModuleOwners, PythonModuleOwnersRequest(APP_ENTRY_MODULE, resolve=resolve))
    return InferredDependencies([address, *entry.unambiguous])


def rules() -> Iterable[Rule | UnionRule]:
    return [
        *collect_rules(),
        UnionRule(FirstPartyPythonMappingImplMarker, WeaverGenMappingMarker),
        UnionRule(InferDependenciesRequest, InferWeaverComponentsDependencies),
        UnionRule(InferDependenciesRequest, InferPythonAppReferences),
        UnionRule(InferDependenciesRequest, InferWeaverAppDependencies),
    ]


