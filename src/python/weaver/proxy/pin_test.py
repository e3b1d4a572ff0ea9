"""The version pin cookie."""

from __future__ import annotations

from weaver.proxy import pin


def test_cookie_pin() -> None:
    assert pin.cookie_pin(b"a=1; weaver-version=v2; b=3") == "v2"
    assert pin.cookie_pin(b'weaver-version="v3"') == "v3"
    assert pin.cookie_pin(b"a=1; xweaver-version=v2") is None
    assert pin.cookie_pin(b"a=1") is None
