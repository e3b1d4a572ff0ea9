"""Generate the baseline's Python stubs from `protos/` with grpc_tools.protoc.

Writes top-level modules `hipstershop_pb2`, `hipstershop_pb2_grpc`, `health_pb2` and
`health_pb2_grpc` (plus .pyi) into a directory that must then be on sys.path. A build rule
calls this; tests and the launcher call it into a cache directory when the modules are absent.

    python -m apps.boutique_grpc.protogen OUT_DIR
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

PROTOS = ("hipstershop.proto", "health.proto")


def proto_dir() -> Path:
    """The directory holding the .proto files (a real directory: the package is unzipped)."""
    return Path(str(resources.files("apps.boutique_grpc").joinpath("protos")))


def generate(out_dir: Path) -> list[Path]:
    """Run protoc for every proto into `out_dir`; return the files written."""
    from grpc_tools import protoc  # imported here: only the build needs grpcio-tools

    out_dir.mkdir(parents=True, exist_ok=True)
    src = proto_dir()
    include = str(resources.files("grpc_tools").joinpath("_proto"))
    args = [
        "grpc_tools.protoc",
        f"-I{src}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(src / p) for p in PROTOS),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed: {' '.join(args)}")
    return sorted(p for p in out_dir.iterdir() if p.name.endswith((".py", ".pyi")))


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1])):
        print(path)
