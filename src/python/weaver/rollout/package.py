"""The app build being rolled out: its PEX, manifest, version and public listeners.

The version ID is the PEX's sha256 (as `weaver.app_main` computes it); the manifest must agree.
Listener names come from the manifest's components; their public addresses from the config
embedded in the PEX (`[weaver.listeners.<name>] address`), overridden by `--listen NAME=ADDR`.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weaver.internal.address import AddressError, parse_address
from weaver.internal.pexinfo import PexInfoError, embedded_config_text, pex_sha256
from weaver.rollout.paths import RolloutError


@dataclass(frozen=True)
class Package:
    app: str
    version: str
    pex: Path
    listeners: dict[str, str]
    """Listener name -> public address ("" when neither the config nor --listen gives one)."""


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as e:
        raise RolloutError(f"cannot read manifest {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise RolloutError(f"manifest {path} is not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("app"), str) or not isinstance(data.get("version"), str):
        raise RolloutError(f"manifest {path} has no string 'app' and 'version' (is it a weaver_app manifest?)")
    return data


def manifest_listeners(manifest: dict[str, Any]) -> list[str]:
    """Every listener name declared by the app's components."""
    names: list[str] = []
    for component in manifest.get("components") or []:
        for name in component.get("listeners") or [] if isinstance(component, dict) else []:
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def embedded_config(pex: Path) -> dict[str, Any]:
    """The TOML config packaged in the PEX's weaver_app_info module (without running it)."""
    try:
        return tomllib.loads(embedded_config_text(pex))
    except PexInfoError as e:
        raise RolloutError(str(e)) from None
    except tomllib.TOMLDecodeError as e:
        raise RolloutError(f"{pex}: embedded config: {e}") from None


def parse_listen(items: list[str]) -> dict[str, str]:
    """`--listen NAME=HOST:PORT` flags as a dict."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, address = item.partition("=")
        if not sep or not name:
            raise RolloutError(f"--listen {item!r}: expected NAME=HOST:PORT")
        try:
            parse_address(address, what="--listen", port_zero=True)
        except AddressError:
            raise RolloutError(f"--listen {item!r}: {address!r} is not HOST:PORT") from None
        out[name] = address
    return out


def checked_build(pex: Path, manifest_path: Path, flag: str = "") -> tuple[dict[str, Any], str]:
    """(manifest, version) of a built app: the PEX's sha256 must be the version its manifest names.

    `flag` (e.g. "--pex") prefixes the error about a missing PEX, naming where it came from.
    """
    manifest = load_manifest(manifest_path)
    if not pex.is_file():
        raise RolloutError(f"{flag + ' ' if flag else ''}{pex}: no such file")
    version = pex_sha256(str(pex))
    if manifest["version"] != version:
        raise RolloutError(
            f"manifest {manifest_path} is for version {manifest['version'][:12]}, but {pex} has sha256 "
            f"{version[:12]}: pass the manifest built with this PEX"
        )
    return manifest, version


def load_package(pex: Path, manifest_path: Path, listen: dict[str, str]) -> Package:
    """Check the PEX against its manifest and work out the public listener addresses."""
    manifest, version = checked_build(pex, manifest_path, "--pex")
    names = manifest_listeners(manifest)
    unknown = sorted(set(listen) - set(names))
    if unknown:
        raise RolloutError(
            f"--listen {unknown[0]}: the app has no such listener (it has: {', '.join(names) or 'none'})"
        )
    config = embedded_config(pex)
    configured = config.get("weaver", {}).get("listeners", {})
    listeners = {}
    for name in names:
        address = listen.get(name) or str(configured.get(name, {}).get("address", ""))
        if not address:
            raise RolloutError(f"listener {name!r} has no public address: pass --listen {name}=HOST:PORT")
        listeners[name] = address
    return Package(manifest["app"], version, pex, listeners)


def keep_pex(package: Package, dest: Path) -> Path:
    """Copy the PEX to `dest` (content-addressed by version; the source may be a temp file)."""
    if dest.is_file() and pex_sha256(str(dest)) == package.version:
        return dest
    tmp = dest.with_name(f".{dest.name}.tmp")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package.pex, tmp)
    tmp.chmod(0o755)
    tmp.replace(dest)
    return dest
