"""The framework's exceptions and their wire form.

A remote call that fails must fail the same way it would have failed locally wherever that is
possible: `AppError` subclasses (declared by the app, registered by full name) keep their type
and args across the wire; any other exception arrives as a `RemoteCallError` that names the
original type, message and where it was raised. The transport calls `encode_error` on the
callee's side and `decode_error` on the caller's side.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = [
    "AppError",
    "AppNotFoundError",
    "CommunicationError",
    "DeadlineExceeded",
    "RemoteCallError",
    "WeaverError",
    "decode_error",
    "encode_communication_error",
    "encode_error",
]


class WeaverError(Exception):
    """Base of the framework's own errors: catch it to handle any error weaver raises.

    Library code raises these; only command entry points (`python -m weaver`, an app's
    `__main__` through `weaver.run`) turn them into an exit status. Subclasses keep a stdlib
    base where one fits (`ConfigError` is also a `ValueError`).
    """


class AppNotFoundError(WeaverError, ImportError):
    """The app cannot be loaded as asked: its generated code or packaged app info is missing."""


class AppError(Exception):
    """Base for app-declared exceptions that keep their type across remote calls.

    Subclasses register themselves by full name (`module.QualName`); their `args` must be
    msgspec-encodable. They are rebuilt on the caller's side with `cls(*args)`.
    """

    registry: ClassVar[dict[str, type[AppError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        AppError.registry[_full_name(cls)] = cls


class RemoteCallError(WeaverError):
    """The callee raised something that is not an `AppError`."""

    def __init__(self, type_name: str, message: str, where: str) -> None:
        super().__init__(f"{type_name}: {message} (raised in {where})")
        self.type_name = type_name
        self.message = message
        self.where = where


class CommunicationError(WeaverError):
    """The call could not be delivered or its reply was lost (retried if retriable)."""


class DeadlineExceeded(CommunicationError, TimeoutError):
    """The call's deadline passed before a reply arrived."""


class _WireError(msgspec.Struct, array_like=True, frozen=True):
    """One encoded error. kind: "app", "deadline", "remote" or "communication"."""

    kind: str
    type_name: str
    message: str
    where: str
    args: msgspec.Raw = msgspec.Raw(b"\x90")  # msgpack empty array


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_WireError)


def _full_name(cls: type) -> str:
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def encode_error(exc: BaseException, where: str) -> bytes:
    """Encode `exc`, raised in `where` ("component.method@replica"), for an error reply."""
    if isinstance(exc, AppError):
        name = _full_name(type(exc))
        if AppError.registry.get(name) is type(exc):
            try:
                args = msgspec.Raw(_encoder.encode(list(exc.args)))
            except (TypeError, msgspec.EncodeError):
                pass  # unencodable args: fall back to a RemoteCallError below
            else:
                return _encoder.encode(_WireError("app", name, str(exc), where, args))
    if isinstance(exc, DeadlineExceeded):
        return _encoder.encode(_WireError("deadline", "DeadlineExceeded", str(exc), where))
    if isinstance(exc, RemoteCallError):  # a nested remote failure: keep its origin
        return _encoder.encode(_WireError("remote", exc.type_name, exc.message, exc.where))
    return _encoder.encode(_WireError("remote", _full_name(type(exc)), str(exc), where))


def encode_communication_error(message: str, where: str) -> bytes:
    """An error reply that the caller sees as a `CommunicationError` (retried if retriable).

    No callee sends one (`encode_error` never does): the transport's fault injector
    (`weaver.testing.interposer`) uses it to fail one call of many on a connection.
    """
    return _encoder.encode(_WireError("communication", "CommunicationError", message, where))


def decode_error(data: bytes) -> Exception:
    """Rebuild the exception that `encode_error` encoded; never raises."""
    try:
        wire = _decoder.decode(data)
    except msgspec.DecodeError as e:
        return CommunicationError(f"malformed error reply ({len(data)} bytes): {e}")
    if wire.kind == "app":
        cls = AppError.registry.get(wire.type_name)
        if cls is not None:
            try:
                args = msgspec.msgpack.decode(wire.args, type=list[Any])
                return cls(*args)
            except Exception:  # noqa: BLE001 - a custom __init__ may not accept its args
                exc = cls.__new__(cls)
                exc.args = tuple(msgspec.msgpack.decode(wire.args))
                return exc
    if wire.kind == "deadline":
        return DeadlineExceeded(f"{wire.message} (in {wire.where})")
    if wire.kind == "communication":
        return CommunicationError(f"{wire.message} (in {wire.where})")
    return RemoteCallError(wire.type_name, wire.message, wire.where)
