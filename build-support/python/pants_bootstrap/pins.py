"""The versions the launcher installs; changing any of them re-bootstraps every machine."""

PANTS_VERSION = "2.17.1"
PEX_VERSION = "2.1.137"
PYTHON_FOR_PANTS = (3, 9)
BOOTSTRAP_REVISION = 1
"""Bump when the bootstrap's output changes shape (e.g. a new `.pants.rc` setting)."""

PEX_PLATFORMS = ("linux_x86_64", "linux_arm64", "macos_x86_64", "macos_arm64")
"""Pants asks for the pex CLI by platform; the PEX we build is platform-neutral."""


def cache_key() -> str:
    """Names the cache directory and marks `.pants.rc`; the launcher compares it."""
    return f"pants-{PANTS_VERSION}-pex-{PEX_VERSION}-r{BOOTSTRAP_REVISION}"
