"""The non-versioned wire format: msgpack of array-like msgspec structs.

Every process of one version runs the same code, so fields travel by position only: no
names, no numbers, no type tags. Generated code builds its encoders and decoders here.
"""

from __future__ import annotations

from typing import Any

import msgspec

encoder = msgspec.msgpack.Encoder()
"""The one encoder every generated stub shares (encoders are stateless and thread-safe)."""

encode = encoder.encode


def decoder(tp: Any) -> msgspec.msgpack.Decoder[Any]:
    """A decoder for `tp` (an args struct or a method's result type)."""
    return msgspec.msgpack.Decoder(tp)
