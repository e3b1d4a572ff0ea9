"""The PEX's own cache, made at image build time: a pod starts its proclet without unpacking.

A zipapp PEX installs its wheels and code into PEX_ROOT on first run. In a pod that first run is
every start (a container's filesystem starts empty), and on the local 2-core node it took longer
than the kubelet's probes allowed. So `weaver kube image` runs the PEX once here, under the image's
interpreter with `PEX_INTERPRETER=1` (it unpacks, then runs `-c pass` instead of the app), and ships
the PEX_ROOT it filled as a layer at IMAGE_PEX_ROOT. The paths inside a PEX_ROOT are relative to it
(installed wheels and code are keyed by hash), so the directory may move.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from weaver.deployers.kube import oci

IMAGE_PEX_ROOT = "weaver/pex-root"
"""Where the layer puts the cache (no leading '/': a path inside the image)."""
UNPACK_TIMEOUT = 300.0
SKIP_SUFFIXES = (".lck", ".lock")
"""Lock files of the run that filled the cache: nothing in the pod holds them."""


class UnpackError(Exception):
    """Running the PEX to fill its cache failed (names the PEX and what it printed)."""


def unpack(pex: Path, python: Path, into: Path) -> None:
    """Run `pex` under `python` with PEX_ROOT=`into`, so it installs itself there, and nothing else."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PEX_ROOT": str(into), "PEX_INTERPRETER": "1",
           "HOME": str(into)}
    try:
        out = subprocess.run([str(python), str(pex), "-c", "pass"], env=env, capture_output=True, text=True,
                             timeout=UNPACK_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UnpackError(f"{pex}: cannot run it with {python} to fill its cache: {e}") from None
    if out.returncode != 0:
        tail = "\n".join(out.stderr.strip().splitlines()[-10:])
        raise UnpackError(f"{pex}: running it with {python} to fill its cache exited {out.returncode}:\n{tail}")


def entries(root: Path, at: str = IMAGE_PEX_ROOT) -> tuple[list[oci.Entry], list[oci.Link]]:
    """The files and symlinks under `root`, placed under `at` in the image, with their modes."""
    files: list[oci.Entry] = []
    links: list[oci.Link] = []
    for here, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted([*names, *(d for d in dirs if (Path(here) / d).is_symlink())]):
            path = Path(here) / name
            inner = f"{at}/{path.relative_to(root)}"
            if path.is_symlink():
                links.append((inner, os.readlink(path)))
            elif path.is_file() and not name.endswith(SKIP_SUFFIXES):
                files.append((inner, path, path.stat().st_mode & 0o777))
    return files, links


def layer(pex: Path, python: Path) -> bytes:
    """One image layer holding the PEX's filled cache at IMAGE_PEX_ROOT."""
    with tempfile.TemporaryDirectory(prefix="weaver-pex-root-") as tmp:
        unpack(pex, python, Path(tmp))
        files, links = entries(Path(tmp))
        return oci.layer(files, links)
