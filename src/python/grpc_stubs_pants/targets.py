"""Target type: `grpc_python_stubs` (Python modules generated from .proto files at build time)."""

from __future__ import annotations

from pants.backend.python.target_types import PythonResolveField
from pants.engine.target import COMMON_TARGET_FIELDS, Dependencies, MultipleSourcesField, Target
from pants.util.strutil import help_text


class GrpcProtoSourcesField(MultipleSourcesField):
    # Not a PythonSourceField: Pants would then treat the .proto files as Python sources.
    default = ("*.proto",)
    expected_file_extensions = (".proto",)
    help = "The .proto files; their directory is the import root (`-I`) for protoc."


class GrpcPythonStubsTarget(Target):
    alias = "grpc_python_stubs"
    core_fields = (*COMMON_TARGET_FIELDS, Dependencies, GrpcProtoSourcesField, PythonResolveField)
    help = help_text(
        """
        Python modules generated from .proto files at build time with grpcio-tools' protoc
        (`X_pb2.py`, `X_pb2_grpc.py`, `X_pb2.pyi`), importable as top-level modules `X_pb2`.
        Pants' own protobuf backend downloads protoc from GitHub; this one takes it from the
        resolve's `grpcio-tools` requirement.
        """
    )
