"""Detects the machine quirks that Pants' pex/pip subprocesses must be told about.

Two are known: a site-wide pip configuration that sets a `constraint` (pip's legacy resolver
inside pex then fails every lockfile install with a bare AssertionError), and a TLS proxy
whose CA bundle pex must be given explicitly. Nothing here is hard-coded to one machine.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CA_ENV_VARS = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


@dataclass(frozen=True)
class MachineQuirks:
    """What the bootstrap must write into `.pants.rc` for this machine."""

    ca_bundle: str | None
    """Path of the CA bundle to hand to pex, or None to use pex's default."""
    isolate_pip_config: bool
    """Whether Pants' subprocesses need PIP_CONFIG_FILE=/dev/null."""
    reason: str
    """Why `isolate_pip_config` is set (for the rc file's comment)."""


def parse_pip_config(listing: str) -> dict[str, str]:
    """`pip config list` output (`global.cert='/x'`, `:env:.cert='/x'`) as {option: value}."""
    options: dict[str, str] = {}
    for line in listing.splitlines():
        key, sep, value = line.partition("=")
        if not sep or "." not in key:
            continue
        option = key.rsplit(".", 1)[1].strip()
        options[option] = value.strip().strip("'\"")
    return options


def read_pip_config(python: str) -> dict[str, str]:
    """The pip options that a pip run by `python` would see from files and environment."""
    try:
        out = subprocess.run(
            [python, "-m", "pip", "config", "list"],
            capture_output=True, text=True, timeout=60, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return parse_pip_config(out.stdout) if out.returncode == 0 else {}


def detect(env: Mapping[str, str], pip_options: Mapping[str, str]) -> MachineQuirks:
    """Decide the quirks from the environment and the pip configuration."""
    ca_bundle = None
    for candidate in [env.get(v) for v in CA_ENV_VARS] + [pip_options.get("cert")]:
        if candidate and Path(candidate).is_file():
            ca_bundle = candidate
            break
    constraint = pip_options.get("constraint") or env.get("PIP_CONSTRAINT")
    reason = f"pip configuration sets constraint={constraint}" if constraint else ""
    return MachineQuirks(ca_bundle=ca_bundle, isolate_pip_config=bool(constraint), reason=reason)
