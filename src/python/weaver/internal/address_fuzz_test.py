"""Fuzz target: `host:port` parsing (weaver.internal.address) and replica addresses (weaver.rpc.address).

address_test.py round-trips formatted hosts; here any text raises only AddressError, a parsed
address is in range and formats back to text that parses to the same, and replica addresses
(`tcp://`, `unix://`, bare) raise only ValueError (AddressError is one) and round-trip likewise.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from weaver.internal.address import AddressError, format_address, parse_address
from weaver.rpc import address as rpc_address

_pieces = st.sampled_from(["[", "]", ":", "::1", "127.0.0.1", "h", "80", "0", "65535", "65536", "-1", " ", "٣", "tcp://"])
_texts = st.text(max_size=30) | st.lists(_pieces, max_size=8).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_texts, st.booleans())
@example("[[h]]:80", False)  # found by this target: host "[h]" formatted back as "[h]:80", host "h"
@example(" :80", False)  # a blank host was accepted
@example("[:80", False)
def test_fuzz_parse_address(text: str, port_zero: bool) -> None:
    try:
        host, port = parse_address(text, what="--listen", port_zero=port_zero)
    except AddressError as e:
        assert str(e).startswith(f"--listen {text!r} is not host:port: ") and e.text == text
        return
    assert host and (0 if port_zero else 1) <= port <= 65535
    assert parse_address(format_address(host, port), what="x", port_zero=port_zero) == (host, port)


@settings(max_examples=500, deadline=None)
@given(_texts | st.sampled_from(["unix://", "tcp://"]).flatmap(lambda scheme: _texts.map(lambda t: scheme + t)))
def test_fuzz_replica_address(text: str) -> None:
    try:
        parsed = rpc_address.parse(text)
    except ValueError:
        return
    assert parsed.scheme in ("tcp", "unix")
    assert rpc_address.parse(str(parsed)) == parsed
