"""Codec speed and size: weaver's wire format vs protobuf vs JSON, on boutique-like messages.

    python -m weaver_bench.codec [--iterations N]

The protobuf classes are generated with grpc_tools.protoc into a temporary directory at run
time (nothing generated is committed). Figures are best of several rounds, per message:
encode; decode; and decode + read every field, which is what a callee does with its
arguments (protobuf's upb backend parses lazily and builds Python objects on access, so
decode alone flatters it). The speed-up column compares encode + decode-and-read.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import msgspec

from weaver import codec
from weaver_bench.messages import PROTO, READERS, samples


def load_proto(directory: str) -> Any:
    """Compile PROTO with grpc_tools.protoc into `directory` and import it."""
    from grpc_tools import protoc

    with open(os.path.join(directory, "benchboutique.proto"), "w") as f:
        f.write(PROTO)
    status = protoc.main(["protoc", f"-I{directory}", f"--python_out={directory}", "benchboutique.proto"])
    if status != 0:
        raise RuntimeError(f"protoc failed with status {status}")
    sys.path.insert(0, directory)
    return importlib.import_module("benchboutique_pb2")


def to_proto(pb: Any, value: Any) -> Any:
    """The protobuf message equal to struct `value`."""
    cls = getattr(pb, type(value).__name__)
    fields: dict[str, Any] = {}
    for name in value.__struct_fields__:
        v = getattr(value, name)
        if isinstance(v, msgspec.Struct):
            v = to_proto(pb, v)
        elif isinstance(v, list) and v and isinstance(v[0], msgspec.Struct):
            v = [to_proto(pb, x) for x in v]
        fields[name] = v
    return cls(**fields)


def best_ns(fn: Callable[[], object], iterations: int, rounds: int = 7) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        best = min(best, (time.perf_counter_ns() - start) / iterations)
    return best


def named(value: Any) -> Any:
    """`value` as plain dicts with field names (what a JSON API would send)."""
    if isinstance(value, msgspec.Struct):
        return {f: named(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, list):
        return [named(v) for v in value]
    return value


Row = tuple[Callable[[], object], Callable[[], object], bytes]


def _decode_and_read(decode: Callable[[], object], read: Callable[[Any], None]) -> Callable[[], None]:
    return lambda: read(decode())


def rows(pb: Any, value: msgspec.Struct) -> dict[str, Row]:
    """codec name -> (encode, decode, encoded bytes) for one message."""
    decoder = codec.decoder(type(value))
    json_decoder = msgspec.json.Decoder(type(value))
    pb_value = to_proto(pb, value)
    pb_cls = type(pb_value)
    plain = named(value)
    w_bytes, p_bytes = codec.encode(value), pb_value.SerializeToString()
    mj_bytes, j_text = msgspec.json.encode(value), json.dumps(plain, separators=(",", ":"))
    assert decoder.decode(w_bytes) == value and pb_cls.FromString(p_bytes) == pb_value
    assert json_decoder.decode(mj_bytes) == value and json.loads(j_text) == plain
    return {
        "protobuf": (pb_value.SerializeToString, lambda: pb_cls.FromString(p_bytes), p_bytes),
        "weaver (msgpack arrays)": (lambda: codec.encode(value), lambda: decoder.decode(w_bytes), w_bytes),
        "json (msgspec, typed)": (lambda: msgspec.json.encode(value), lambda: json_decoder.decode(mj_bytes), mj_bytes),
        "json (stdlib, dicts)": (
            lambda: json.dumps(plain, separators=(",", ":")),
            lambda: json.loads(j_text),
            j_text.encode(),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    args = parser.parse_args()
    n = args.iterations
    with tempfile.TemporaryDirectory() as tmp:
        pb = load_proto(tmp)
        from google.protobuf.internal import api_implementation  # type: ignore[import-untyped]

        print(
            f"codec: encode + decode of one message into a typed object, best of 7 x {n:,}; "
            f"protobuf backend: {api_implementation.Type()}"
        )
        print(
            f"{'message':15} {'codec':24} {'enc ns':>7} {'dec ns':>7} {'dec+read':>8} "
            f"{'enc+dec+read':>12} {'bytes':>6} {'speed vs pb':>11}"
        )
        for label, value in samples().items():
            pb_total = pb_size = 0.0
            for name, (enc, dec, data) in rows(pb, value).items():
                e, d = best_ns(enc, n), best_ns(dec, n)
                read = READERS[label]
                # stdlib json yields plain dicts: fully built by decode, nothing typed to read.
                dr = d if name.startswith("json (stdlib") else best_ns(_decode_and_read(dec, read), n)
                if name == "protobuf":
                    pb_total, pb_size = e + dr, len(data)
                print(
                    f"{label:15} {name:24} {e:7.0f} {d:7.0f} {dr:8.0f} {e + dr:12.0f} {len(data):6d} "
                    f"{pb_total / (e + dr):10.2f}x" + ("  (larger than pb)" if len(data) > pb_size else "")
                )


if __name__ == "__main__":
    main()
