"""`weaver kube image APP.pex`: a version's image, the base plus one layer holding the PEX.

The PEX goes to /weaver/<its file name> (where the Deployment runs it); the image is named
`weaver.local/<app>:<first 16 hex digits of the version>`, the version being the PEX's sha256,
so an image name says which artifact it holds. The base is the local one made from this
machine's Python 3.11 (`baseimage`); a third layer holds the PEX's unpacked cache (`pexroot`), so a
pod's start does not unpack it again. The tarball is for `ctr -n k8s.io images import`.
"""

from __future__ import annotations

import json
from pathlib import Path

from weaver.config import ConfigError
from weaver.deployers.kube import baseimage, oci, pexroot
from weaver.deployers.kube.manifests import PEX_DIR, SHORT
from weaver.internal.pexinfo import pex_sha256


def image_name(app: str, version: str) -> str:
    return f"weaver.local/{app}:{version[:SHORT]}"


def write(pex: Path, out: Path) -> str:
    """Write the version's image tarball; returns the image's name."""
    manifest = pex.with_name(pex.name.removesuffix(".pex") + ".manifest.json")
    try:
        app = str(json.loads(manifest.read_text())["app"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"{manifest}: cannot read the app's name from the manifest beside the PEX: {e}") from None
    version = pex_sha256(str(pex))
    name = image_name(app, version)
    files, links = baseimage.entries()
    layers = [
        oci.layer(files, links, tmp=True),
        oci.layer([(f"{PEX_DIR.strip('/')}/{pex.name}", pex, 0o755)]),
        pexroot.layer(pex, baseimage.PYTHON),
    ]
    labels = {"weaver.dev/app": app, "weaver.dev/version": version[:SHORT], "weaver.dev/version-sha256": version}
    env = [e for e in baseimage.ENV if not e.startswith("PEX_ROOT=")] + [f"PEX_ROOT=/{pexroot.IMAGE_PEX_ROOT}"]
    oci.write_image(out, name, layers, {"Env": env, "Cmd": ["python3"], "WorkingDir": "/"}, labels)
    return name
