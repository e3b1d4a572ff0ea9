"""OCI image tarballs written with the standard library only (no Docker, no registry).

`write_image(out, name, layers, config)` writes an OCI image layout as one tar stream that
`ctr -n k8s.io images import` (and `skopeo copy oci-archive:`) read: `oci-layout`, `index.json`
(annotated with the image's full name), and blobs for the config, the manifest and each layer.
Layers are uncompressed tars of (path in image, file on disk, mode) entries with fixed mtimes and
owners, so equal inputs give byte-identical images. Standalone (no weaver imports): the local
cluster's script runs it directly to make the node's pause image.

    python3 oci.py OUT.tar NAME ENTRYPOINT_JSON IMAGE_PATH=HOST_FILE[:MODE] ...
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"

Entry = tuple[str, Path, int]
"""(path inside the image, file on the host, mode)."""


Link = tuple[str, str]
"""(path inside the image, the symlink's target)."""


def layer(entries: Sequence[Entry], links: Sequence[Link] = (), tmp: bool = False) -> bytes:
    """One layer: an uncompressed tar of the entries and symlinks, their parent directories first.

    With `tmp`, also a world-writable sticky /tmp (a rootfs needs one; no host file stands for it).
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs: set[str] = set()
        if tmp:
            dirs.add("tmp")
            info = tarfile.TarInfo("tmp")
            info.type, info.mode = tarfile.DIRTYPE, 0o1777
            tar.addfile(info)
        for inner in sorted([e[0] for e in entries] + [lk[0] for lk in links]):
            parts = inner.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
        for inner, host, mode in sorted(entries):
            data = host.read_bytes()
            info = tarfile.TarInfo(inner.strip("/"))
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
        for inner, target in sorted(links):
            info = tarfile.TarInfo(inner.strip("/"))
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
            tar.addfile(info)
    return buf.getvalue()


def _blob(tar: tarfile.TarFile, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest.split(":", 1)[1])
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return digest


def _json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def write_image(
    out: Path, name: str, layers: Sequence[bytes], config: dict[str, Any], labels: dict[str, str] | None = None
) -> str:
    """Write the image tarball; returns the manifest's digest. `config` is the OCI `config` field."""
    diff_ids = ["sha256:" + hashlib.sha256(lay).hexdigest() for lay in layers]
    image_config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {**config, "Labels": dict(labels or {})},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        layer_descs = [{"mediaType": MEDIA_LAYER, "digest": _blob(tar, lay), "size": len(lay)} for lay in layers]
        config_bytes = _json(image_config)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": {"mediaType": MEDIA_CONFIG, "digest": _blob(tar, config_bytes), "size": len(config_bytes)},
            "layers": layer_descs,
        }
        manifest_bytes = _json(manifest)
        digest = _blob(tar, manifest_bytes)
        index = {
            "schemaVersion": 2,
            "manifests": [
                {
                    "mediaType": MEDIA_MANIFEST,
                    "digest": digest,
                    "size": len(manifest_bytes),
                    "annotations": {
                        "io.containerd.image.name": name,
                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1],
                    },
                }
            ],
        }
        for fname, data in (("oci-layout", _json({"imageLayoutVersion": "1.0.0"})), ("index.json", _json(index))):
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return digest


def main(argv: list[str]) -> int:
    """The command line above: one layer from IMAGE_PATH=HOST_FILE[:MODE] arguments."""
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    out, name, entrypoint = Path(argv[0]), argv[1], json.loads(argv[2])
    entries: list[Entry] = []
    for arg in argv[3:]:
        inner, _, host = arg.partition("=")
        host, _, mode = host.partition(":")
        entries.append((inner, Path(host), int(mode or "755", 8)))
    print(write_image(out, name, [layer(entries)], {"Entrypoint": entrypoint}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
