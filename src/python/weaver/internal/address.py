"""`host:port` text: the one parser and formatter, with IPv6 hosts in brackets (`[::1]:80`).

Every flag, table entry and replica address in weaver goes through here, so they all accept the
same forms and a bad one is reported the same way: the text and the field it came from.
"""

from __future__ import annotations


class AddressError(ValueError):
    """A `host:port` that does not parse; `what` names the field or flag it came from."""

    def __init__(self, text: str, what: str, problem: str) -> None:
        super().__init__(f"{what} {text!r} is not host:port: {problem}")
        self.text = text
        self.what = what
        self.problem = problem


def parse_address(text: str, *, what: str, port_zero: bool = False) -> tuple[str, int]:
    """Split `host:port` or `[v6]:port` into (host, port), or raise AddressError.

    Port 0 (any free port) is only allowed with `port_zero`, for addresses to listen on.
    """
    host, sep, port = text.rpartition(":")
    if not sep:
        raise AddressError(text, what, "no ':port'")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise AddressError(text, what, "an IPv6 host must be in brackets, as [::1]:80")
    if not host:
        raise AddressError(text, what, "empty host")
    bad = next((c for c in host if c in "[]" or c.isspace() or not c.isprintable()), None)
    if bad is not None:  # "[[h]]:80" gave host "[h]", which formats back as "[h]:80", host "h"
        raise AddressError(text, what, f"{bad!r} in the host")
    if not port.isascii() or not port.isdigit():
        raise AddressError(text, what, f"port {port!r} is not a number")
    value = int(port)
    if not (0 if port_zero else 1) <= value <= 65535:
        allowed = "0..65535" if port_zero else "1..65535"
        raise AddressError(text, what, f"port {value} is out of range {allowed}")
    return host, value


def format_address(host: str, port: int) -> str:
    """The `host:port` text for (host, port), bracketing an IPv6 host; `parse_address` inverts it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
