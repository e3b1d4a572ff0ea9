"""The generated protobuf/gRPC modules, generated on first use if the build did not.

`pb`, `pb_grpc`, `health_pb` and `health_pb_grpc` are typed `Any`: generated code is not
type-checked. When the modules are not importable (no build step ran), they are generated
once into a cache directory keyed by the protos' hash and the grpcio-tools version, which is
then put on sys.path (and exported through PYTHONPATH by `stub_path()` for child processes).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from apps.boutique_grpc.protogen import PROTOS, generate, proto_dir

CACHE_ENV = "BOUTIQUE_GRPC_STUBS"


def _cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    h = hashlib.sha256()
    for name in PROTOS:
        h.update((proto_dir() / name).read_bytes())
    try:
        from importlib.metadata import version

        h.update(version("grpcio-tools").encode())
    except Exception:  # noqa: BLE001 - a missing version only weakens the key
        pass
    return Path(tempfile.gettempdir()) / f"boutique-grpc-stubs-{h.hexdigest()[:16]}"


def stub_path() -> str | None:
    """Ensure the stubs are importable; return the directory added to sys.path, if any."""
    try:
        importlib.import_module("hipstershop_pb2_grpc")
        importlib.import_module("health_pb2_grpc")
        return None
    except ImportError:
        pass
    out = _cache_dir()
    if not (out / "hipstershop_pb2_grpc.py").exists():
        tmp = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent))
        generate(tmp)
        try:
            tmp.rename(out)
        except OSError:  # another process won the race; its output is identical
            shutil.rmtree(tmp, ignore_errors=True)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    return str(out)


def _load(name: str) -> Any:
    stub_path()
    return importlib.import_module(name)


pb: Any = _load("hipstershop_pb2")
pb_grpc: Any = _load("hipstershop_pb2_grpc")
health_pb: Any = _load("health_pb2")
health_pb_grpc: Any = _load("health_pb2_grpc")
