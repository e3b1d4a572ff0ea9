"""The OCI image tarball: content-addressed blobs, deterministic, the name annotated."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

from weaver.deployers.kube.oci import layer, write_image


def test_image_blobs_are_content_addressed_and_deterministic(tmp_path: Path) -> None:
    (tmp_path / "app.pex").write_bytes(b"#!/usr/bin/env python3\nprint('hi')\n")
    entries = [("weaver/app.pex", tmp_path / "app.pex", 0o755)]
    first = write_image(tmp_path / "a.tar", "weaver.local/hello:0f0f", [layer(entries)], {"Entrypoint": ["x"]})
    second = write_image(tmp_path / "b.tar", "weaver.local/hello:0f0f", [layer(entries)], {"Entrypoint": ["x"]})
    assert first == second
    assert (tmp_path / "a.tar").read_bytes() == (tmp_path / "b.tar").read_bytes()
    with tarfile.open(tmp_path / "a.tar") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    for name, data in files.items():
        if name.startswith("blobs/sha256/"):
            assert hashlib.sha256(data).hexdigest() == name.rsplit("/", 1)[1]
    index = json.loads(files["index.json"])
    assert index["manifests"][0]["digest"] == first
    assert index["manifests"][0]["annotations"]["io.containerd.image.name"] == "weaver.local/hello:0f0f"
    manifest = json.loads(files["blobs/sha256/" + first.split(":")[1]])
    (lay,) = manifest["layers"]
    with tarfile.open(fileobj=__import__("io").BytesIO(files["blobs/sha256/" + lay["digest"].split(":")[1]])) as t:
        assert t.getnames() == ["weaver", "weaver/app.pex"]
