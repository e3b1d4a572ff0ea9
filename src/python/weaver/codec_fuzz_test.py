"""Fuzz target: the decode path of generated msgspec codecs (weaver.codec), on arbitrary bytes.

The decoders are the ones generated code builds: every `*_decoder` of the test app's
`weaver_gen` (argument structs and results: strings, ints, floats, enums, dataclasses, Structs,
datetimes, optionals, frozensets, lists). Any bytes give a value or a msgspec.DecodeError
(ValidationError is one), which the rpc server answers as the call's error; a value of the
decoder's type, encoded with `weaver.codec.encode`, decodes back equal.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import weaver.testing
from weaver import codec

weaver.testing.ensure_generated("weaver.testing.testapp")

from weaver.testing.testapp import weaver_gen  # noqa: E402

DECODERS = {name: d for name, d in vars(weaver_gen).items() if isinstance(d, msgspec.msgpack.Decoder)}


def _values(tp: Any) -> st.SearchStrategy[Any]:
    return st.none() if tp is None else st.from_type(tp)


def _msgpack_noise() -> st.SearchStrategy[bytes]:
    """Valid msgpack of other shapes (often almost the right one), and raw bytes."""
    leaf = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=8)
    def nest(t: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(t, max_size=4) | st.dictionaries(st.text(max_size=4), t, max_size=3)

    tree = st.recursive(leaf | st.binary(max_size=8), nest, max_leaves=10)
    return tree.map(codec.encode) | st.binary(max_size=60)


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_msgpack_noise())
def test_fuzz_decode_arbitrary_bytes(name: str, data: bytes) -> None:
    decoder = DECODERS[name]
    try:
        value = decoder.decode(data)
    except msgspec.DecodeError:
        return
    if isinstance(decoder.type, type):  # a Struct, dataclass, enum or builtin: exactly that
        assert isinstance(value, decoder.type), (value, decoder.type)


def _same(a: Any, b: Any) -> bool:
    """Equal, counting NaN equal to NaN (msgspec keeps it; == does not)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b) or codec.encode(a) == codec.encode(b)


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_encode_then_decode_round_trips(name: str, data: st.DataObject) -> None:
    decoder = DECODERS[name]
    value = data.draw(_values(decoder.type))
    try:
        encoded = codec.encode(value)
    except OverflowError:  # an int outside msgpack's -2**63..2**64-1: refused when sent, never garbled
        event("int out of msgpack's range")
        return
    assert _same(decoder.decode(encoded), value)
