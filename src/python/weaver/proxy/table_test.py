"""Traffic tables: malformed ones are refused."""

from __future__ import annotations

import pytest

from weaver.proxy.table import TableError, decode_table


def test_decode_table_rejects_bad_tables() -> None:
    assert decode_table(b'{"versions": {"abc.1": {"weight": 2, "backends": ["h:1"]}}}').versions["abc.1"].weight == 2
    for bad in (
        b"[]",
        b'{"versions": {"": {}}}',
        b'{"versions": {"v": {"weight": "x"}}}',
        b'{"versions": {"v": {"backends": ["h:1", "h:1"]}}}',
        b'{"versions": {"v": {"extra": 1}}}',
    ):
        with pytest.raises(TableError):
            decode_table(bad)


def test_a_versions_manager_address_is_checked_and_kept() -> None:
    table = decode_table(b'{"versions": {"v": {"backends": ["h:1"], "manager": "127.0.0.1:9100"}}}')
    assert table.versions["v"].manager == "127.0.0.1:9100"
    with pytest.raises(TableError, match="version v: manager address 'nowhere' is not host:port"):
        decode_table(b'{"versions": {"v": {"manager": "nowhere"}}}')
