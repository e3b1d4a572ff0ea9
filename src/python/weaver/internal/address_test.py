"""Tests of the one `host:port` parser: the accepted forms and an error naming each problem."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weaver.internal.address import AddressError, format_address, parse_address


def test_parse_address() -> None:
    assert parse_address("10.0.0.1:80", what="x") == ("10.0.0.1", 80)
    assert parse_address("[::1]:8080", what="x") == ("::1", 8080)
    assert parse_address("localhost:0", what="x", port_zero=True) == ("localhost", 0)
    for bad in ("nohost", ":80", "h:0", "h:70000", "h:x", "::1:80", "[]:80", "h:", "h:٣"):
        with pytest.raises(AddressError):
            parse_address(bad, what="x")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nohost", "no ':port'"),
        (":80", "empty host"),
        ("h:x", "port 'x' is not a number"),
        ("h:0", "out of range 1..65535"),
        ("::1:80", "in brackets"),
    ],
)
def test_error_names_text_field_and_problem(text: str, problem: str) -> None:
    with pytest.raises(AddressError) as info:
        parse_address(text, what="--listen")
    assert str(info.value).startswith(f"--listen {text!r} is not host:port: ")
    assert problem in str(info.value)
    assert (info.value.text, info.value.what) == (text, "--listen")
    assert isinstance(info.value, ValueError)


hosts = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,20}", fullmatch=True),
    st.ip_addresses().map(str),
)


@given(hosts, st.integers(0, 65535))
def test_format_then_parse_round_trips(host: str, port: int) -> None:
    assert parse_address(format_address(host, port), what="x", port_zero=True) == (host, port)
