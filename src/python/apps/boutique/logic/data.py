"""Loading the packaged data files (never from outside the package)."""

from __future__ import annotations

from importlib import resources


def read_bytes(name: str) -> bytes:
    """The bytes of `apps/boutique/data/<name>`."""
    return resources.files("apps.boutique.data").joinpath(name).read_bytes()
