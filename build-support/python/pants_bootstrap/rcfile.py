"""Renders the git-ignored `.pants.rc`: the machine-specific half of the Pants configuration."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pants_bootstrap.machine import MachineQuirks
from pants_bootstrap.pins import PEX_PLATFORMS, PEX_VERSION, cache_key

HEADER_PREFIX = "# weaver-pants "


@dataclass(frozen=True)
class PexCli:
    """The locally built pex CLI that Pants would otherwise download from GitHub."""

    path: str
    sha256: str
    size: int


def header() -> str:
    """The first line; the launcher re-bootstraps when it differs from its own key."""
    return f"{HEADER_PREFIX}{cache_key()}"


def settings(quirks: MachineQuirks, pex: PexCli) -> dict[tuple[str, str], object]:
    """(scope, option) -> value: what this machine needs Pants to know."""
    values: dict[tuple[str, str], object] = {
        ("pex-cli", "version"): f"v{PEX_VERSION}",
        ("pex-cli", "known_versions"): [f"v{PEX_VERSION}|{p}|{pex.sha256}|{pex.size}" for p in PEX_PLATFORMS],
        ("pex-cli", "url_template"): f"file://{pex.path}",
    }
    if quirks.ca_bundle:
        values[("GLOBAL", "ca_certs_path")] = quirks.ca_bundle
    if quirks.isolate_pip_config:
        values[("subprocess-environment", "env_vars")] = ["PIP_CONFIG_FILE=/dev/null"]
    return values


def env_var_name(scope: str, option: str) -> str:
    """The PANTS_* variable that sets the same option (RuleRunner reads only these)."""
    prefix = "PANTS_" if scope == "GLOBAL" else f"PANTS_{scope.upper().replace('-', '_')}_"
    return prefix + option.upper()


def render(quirks: MachineQuirks, pex: PexCli) -> str:
    """The whole file, TOML like pants.toml; plugin tests get the same values as PANTS_* vars."""
    values = settings(quirks, pex)
    lines = [
        header(),
        "# Written by ./pants (build-support/python/pants_bootstrap) for this machine; do not commit.",
    ]
    if quirks.reason:
        lines.append(f"# {quirks.reason}: pip inside pex must not read it.")
    for scope in sorted({s for s, _ in values}):
        lines += ["", f"[{scope}]"]
        lines += [f"{opt} = {json.dumps(v)}" for (s, opt), v in values.items() if s == scope]
    test_env = [
        f"{env_var_name(s, o)}={v if isinstance(v, str) else json.dumps(v)}" for (s, o), v in values.items()
    ]
    lines += ["", "[test]", f"extra_env_vars.add = {json.dumps(test_env)}"]
    return "\n".join(lines) + "\n"
