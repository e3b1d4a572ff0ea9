"""Errors keep their meaning across encode_error/decode_error."""

from __future__ import annotations

import pytest

from weaver.errors import (
    AppError,
    CommunicationError,
    DeadlineExceeded,
    RemoteCallError,
    decode_error,
    encode_communication_error,
    encode_error,
)


class OutOfStock(AppError):
    """An app error with args."""


class Picky(AppError):
    """An app error whose __init__ takes keyword-only args."""

    def __init__(self, *, item: str) -> None:
        super().__init__(item)
        self.item = item


def roundtrip(exc: BaseException) -> Exception:
    return decode_error(encode_error(exc, "apps.x.Cart.add@r1"))


def test_app_error_keeps_type_and_args() -> None:
    got = roundtrip(OutOfStock("socks", 3))
    assert type(got) is OutOfStock
    assert got.args == ("socks", 3)


def test_app_error_with_custom_init_keeps_type() -> None:
    got = roundtrip(Picky(item="hat"))
    assert type(got) is Picky
    assert got.args == ("hat",)


def test_app_error_with_unencodable_args_becomes_remote() -> None:
    got = roundtrip(OutOfStock(object()))
    assert isinstance(got, RemoteCallError)
    assert got.type_name.endswith("errors_test.OutOfStock")


def test_other_errors_become_remote_call_error() -> None:
    got = roundtrip(ValueError("bad value"))
    assert isinstance(got, RemoteCallError)
    assert (got.type_name, got.message, got.where) == ("ValueError", "bad value", "apps.x.Cart.add@r1")
    assert "ValueError: bad value" in str(got)


def test_nested_remote_error_keeps_origin() -> None:
    inner = RemoteCallError("KeyError", "'k'", "apps.x.Store.get@r2")
    got = roundtrip(inner)
    assert isinstance(got, RemoteCallError)
    assert got.where == "apps.x.Store.get@r2"


def test_deadline_stays_deadline() -> None:
    got = roundtrip(DeadlineExceeded("too slow"))
    assert isinstance(got, DeadlineExceeded)
    assert isinstance(got, TimeoutError)


def test_garbage_is_communication_error() -> None:
    assert isinstance(decode_error(b"\xc1garbage"), CommunicationError)


@pytest.mark.parametrize("exc", [CommunicationError("lost"), RuntimeError("x")])
def test_never_raises(exc: Exception) -> None:
    assert isinstance(roundtrip(exc), RemoteCallError)


def test_communication_error_reply_is_a_communication_error() -> None:
    got = decode_error(encode_communication_error("reply lost", "chaos Counter@r1"))
    assert type(got) is CommunicationError
    assert "reply lost" in str(got) and "chaos Counter@r1" in str(got)


def test_a_callee_communication_error_is_not_sent_as_one() -> None:
    # A callee's own failed call must not make its caller retry: it stays a RemoteCallError.
    got = roundtrip(CommunicationError("downstream gone"))
    assert type(got) is RemoteCallError
