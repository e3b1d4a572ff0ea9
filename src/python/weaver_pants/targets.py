"""Target types: `weaver_components` (codegen input), `weaver_app` (a versioned PEX), `weaver_rollout`."""

from __future__ import annotations

from pants.backend.python.target_types import InterpreterConstraintsField, PythonResolveField
from pants.core.goals.package import OutputPathField
from pants.engine.target import (
    COMMON_TARGET_FIELDS,
    Dependencies,
    MultipleSourcesField,
    OptionalSingleSourceField,
    StringField,
    StringSequenceField,
    Target,
)
from pants.util.strutil import help_text

GENERATED_MODULE = "weaver_gen"


class WeaverComponentsSourcesField(MultipleSourcesField):
    # Not a PythonSourceField: hydrating that would return the .py files instead of running codegen.
    default = ("*.py", "!*_test.py", "!test_*.py", "!conftest.py", f"!{GENERATED_MODULE}.py")
    expected_file_extensions = (".py",)
    help = "The modules of this package that define components (interfaces and implementations)."


class WeaverComponentsDependenciesField(Dependencies):
    pass


class WeaverComponentsTarget(Target):
    alias = "weaver_components"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        WeaverComponentsDependenciesField,
        WeaverComponentsSourcesField,
        PythonResolveField,
        InterpreterConstraintsField,
    )
    help = help_text(
        f"""
        The weaver components of one package (directory). The build generates the package's
        `{GENERATED_MODULE}.py` (codecs, stubs, registration, fingerprints) from these sources;
        it is never committed. One line per directory: `weaver_components()`.
        """
    )


class WeaverAppMainField(StringField):
    alias = "main"
    required = True
    help = "The app's main package (dotted), whose components include the `weaver.Main` implementation."


class WeaverAppNameField(StringField):
    alias = "app_name"
    help = "The app's name in manifests, logs and deployments (default: the target's name)."


class WeaverAppConfigField(OptionalSingleSourceField):
    alias = "config"
    expected_file_extensions = (".toml",)
    help = "The app's TOML config (listeners, colocation, component sections), embedded in the PEX."


class WeaverAppDependenciesField(Dependencies):
    pass


class WeaverAppTarget(Target):
    alias = "weaver_app"
    core_fields = (
        *COMMON_TARGET_FIELDS,
        WeaverAppMainField,
        WeaverAppNameField,
        WeaverAppConfigField,
        WeaverAppDependenciesField,
        OutputPathField,
        PythonResolveField,
        InterpreterConstraintsField,
    )
    help = help_text(
        """
        A weaver app packaged as one PEX whose sha256 is the app's version ID, with a manifest
        JSON beside it (version, components and fingerprints, call graph, listeners, colocation).
        `pants package` builds both; `./APP.pex` runs the app in a single process.
        """
    )


class WeaverRolloutAppField(StringField):
    alias = "app"
    required = True
    help = "Address of the `weaver_app` to roll out, e.g. `src/python/apps/hello:hello`."


class WeaverRolloutArgsField(StringSequenceField):
    alias = "args"
    help = "Default arguments for `weaver rollout` (those after `pants run ... --` come after them)."


class WeaverRolloutDeployerField(StringField):
    alias = "deployer"
    default = "multi"
    valid_choices = ("multi", "kube")
    help = (
        "Where the versions run: `multi` (this machine, `weaver rollout deploy`) or `kube` (a Kubernetes "
        "cluster, `weaver kube rollout`: give `--config kube.toml` in `args`)."
    )


class WeaverRolloutTarget(Target):
    alias = "weaver_rollout"
    core_fields = (*COMMON_TARGET_FIELDS, WeaverRolloutAppField, WeaverRolloutArgsField, WeaverRolloutDeployerField)
    help = "`pants run` builds the app's PEX and rolls it out with `weaver rollout`."
