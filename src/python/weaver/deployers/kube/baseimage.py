"""A local Python 3.11 base image made from this machine's own interpreter: no registry, no network.

For trying weaver on the local cluster (deploy/kube/cluster.sh) and for its tests; production
uses a real base image (`[kube] image`, e.g. python:3.11-slim). The image is one layer holding
the host's `python3.11`, its standard library (without tests, idle, tkinter, ensurepip and the
static library) and the shared libraries the interpreter and its extension modules load (found
with `ldd`), laid out as on a merged-/usr Debian (`bin`, `lib`, `lib64` link into `usr`). Copied
rather than bind-mounted from the host: the image is then self-contained, the Deployments are the
same as in production (no hostPath volume), and equal inputs give the same image digest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from weaver.deployers.kube import oci

NAME = "weaver.local/python:3.11"
PYTHON = Path("/usr/bin/python3.11")
STDLIB = Path("/usr/lib/python3.11")
SKIP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages", "dist-packages"}
ENV = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "PEX_ROOT=/tmp/pex", "LANG=C.UTF-8"]
LIBDIR = Path("/usr/lib/x86_64-linux-gnu")
MANYLINUX = ["libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libc.so.6", "libnsl.so.1",
             "libutil.so.1", "libpthread.so.0", "libresolv.so.2", "libcrypt.so.1", "libz.so.1", "libexpat.so.1"]
"""The libraries manylinux wheels may link without carrying them (PEP 600's policy, minus graphics)."""
MERGED_USR = [("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"), ("usr/bin/python3", "python3.11")]


class BaseImageError(Exception):
    """The host has no usable Python 3.11 to copy (names what is missing)."""


def _libraries(binaries: list[Path]) -> dict[Path, Path]:
    """The shared libraries (and the loader) that `binaries` load: the path asked for -> the real file.

    The path asked for has its directory resolved (/lib64 is usr/lib64 in the image) but keeps its
    name, which is a symlink on the host (e.g. usr/lib64/ld-linux-x86-64.so.2): it becomes one here.
    """
    out = subprocess.run(["ldd", *map(str, binaries)], capture_output=True, text=True, check=False).stdout
    found = {}
    for line in out.splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            asked = Path(m.group(1))
            found[Path(os.path.realpath(asked.parent)) / asked.name] = Path(os.path.realpath(asked))
    return found


def entries() -> tuple[list[oci.Entry], list[oci.Link]]:
    """The files of the image (interpreter, standard library, shared libraries) and its symlinks."""
    if not PYTHON.is_file() or not STDLIB.is_dir():
        raise BaseImageError(f"{PYTHON} or {STDLIB} is missing: install Debian's python3.11")
    files: list[oci.Entry] = [("usr/bin/python3.11", PYTHON, 0o755)]
    extensions = []
    for root, dirs, names in os.walk(STDLIB):
        rel = Path(root).relative_to(STDLIB)
        dirs[:] = sorted(d for d in dirs if not (rel == Path(".") and (d in SKIP or d.startswith("config-"))))
        for name in sorted(names):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            files.append((str(Path("usr/lib/python3.11") / rel / name), path, 0o644))
            if name.endswith(".so"):
                extensions.append(path)
    links = list(MERGED_USR)
    wheels_may_need = [LIBDIR / n for n in MANYLINUX if (LIBDIR / n).exists()]
    libraries = _libraries([PYTHON, *extensions, *wheels_may_need])
    for lib in wheels_may_need:
        libraries.setdefault(lib, Path(os.path.realpath(lib)))
    for real in sorted(set(libraries.values())):
        files.append((str(real).lstrip("/"), real, 0o755))
    for asked, real in sorted(libraries.items()):
        if asked != real:
            links.append((str(asked).lstrip("/"), os.path.relpath(real, asked.parent)))
    return files, links


def write(out: Path, name: str = NAME) -> str:
    """Write the base image tarball; returns its manifest digest."""
    files, links = entries()
    lay = oci.layer(files, links, tmp=True)
    return oci.write_image(out, name, [lay], {"Env": ENV, "Cmd": ["python3"], "WorkingDir": "/"})


if __name__ == "__main__":
    print(write(Path(sys.argv[1])))
