"""Package checks: the PEX, its manifest and listener addresses."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from weaver.rollout.package import keep_pex, load_package, parse_listen
from weaver.rollout.paths import AppPaths, RolloutError


def fake_pex(path: Path, config: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("weaver_app_info.py", f"APP_NAME = 'hello'\nCONFIG_TOML = {config!r}\n")
    return path


def manifest(path: Path, version: str, listeners: list[str]) -> Path:
    import json

    path.write_text(json.dumps({"app": "hello", "version": version, "components": [{"listeners": listeners}]}))
    return path


def test_package_checks(tmp_path: Path) -> None:
    from weaver.internal.pexinfo import pex_sha256

    pex = fake_pex(tmp_path / "app.pex", '[weaver.listeners.web]\naddress = "127.0.0.1:8080"\n')
    version = pex_sha256(str(pex))
    m = manifest(tmp_path / "m.json", version, ["web"])
    pkg = load_package(pex, m, {})
    assert (pkg.app, pkg.version, pkg.listeners) == ("hello", version, {"web": "127.0.0.1:8080"})
    assert load_package(pex, m, {"web": "127.0.0.1:0"}).listeners == {"web": "127.0.0.1:0"}
    kept = keep_pex(pkg, AppPaths("hello", tmp_path).pex(version))
    assert kept.read_bytes() == pex.read_bytes() and kept.name == f"{version}.pex"
    with pytest.raises(RolloutError, match="is for version 000000000000, but"):
        load_package(pex, manifest(tmp_path / "m2.json", "0" * 64, ["web"]), {})
    with pytest.raises(RolloutError, match="pass --listen api=HOST:PORT"):
        load_package(pex, manifest(tmp_path / "m3.json", version, ["web", "api"]), {})
    with pytest.raises(RolloutError, match="--listen nope: the app has no such listener"):
        load_package(pex, m, {"nope": "127.0.0.1:1"})
    with pytest.raises(RolloutError, match="--pex .*missing.pex: no such file"):
        load_package(tmp_path / "missing.pex", m, {})
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(RolloutError, match="bad.json has no string 'app'"):
        load_package(pex, tmp_path / "bad.json", {})
    with pytest.raises(RolloutError, match="expected NAME=HOST:PORT"):
        parse_listen(["web"])
    with pytest.raises(RolloutError, match="'localhost' is not HOST:PORT"):
        parse_listen(["web=localhost"])
