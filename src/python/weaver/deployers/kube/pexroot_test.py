"""The PEX cache layer: what a run leaves in PEX_ROOT, placed in the image with modes and links kept."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from weaver.deployers.kube import pexroot


def test_entries_keep_modes_and_links_and_skip_lock_files(tmp_path: Path) -> None:
    (tmp_path / "installed_wheels" / "abc" / "bin").mkdir(parents=True)
    tool = tmp_path / "installed_wheels" / "abc" / "bin" / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    (tmp_path / "installed_wheels" / "abc" / "mod.py").write_text("x = 1\n")
    (tmp_path / "installed_wheels" / "abc.lck").write_text("")
    (tmp_path / "current").symlink_to("installed_wheels/abc")
    files, links = pexroot.entries(tmp_path)
    assert sorted((inner, mode) for inner, _, mode in files) == [
        ("weaver/pex-root/installed_wheels/abc/bin/tool", 0o755),
        ("weaver/pex-root/installed_wheels/abc/mod.py", 0o644),
    ]
    assert links == [("weaver/pex-root/current", "installed_wheels/abc")]


def test_a_pex_that_fails_to_start_names_itself_and_what_it_printed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pex"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("__main__.py", "raise SystemExit('no such thing here')\n")
    with pytest.raises(pexroot.UnpackError) as e:
        pexroot.layer(bad, Path(sys.executable))
    assert str(bad) in str(e.value) and "no such thing here" in str(e.value)


def test_the_layer_holds_what_the_run_wrote(tmp_path: Path) -> None:
    pex = tmp_path / "app.pex"
    with zipfile.ZipFile(pex, "w") as z:  # stands in for a PEX: fills PEX_ROOT when run
        z.writestr("__main__.py", "import os, pathlib\n"
                   "p = pathlib.Path(os.environ['PEX_ROOT'], 'user_code', 'h')\n"
                   "p.mkdir(parents=True); (p / 'app.py').write_text('ok')\n")
    with tarfile.open(fileobj=BytesIO(pexroot.layer(pex, Path(sys.executable)))) as tar:
        assert "weaver/pex-root/user_code/h/app.py" in tar.getnames()
