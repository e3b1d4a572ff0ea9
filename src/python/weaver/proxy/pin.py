"""Session pins: how a request names its version and how a response hands the pin back.

Browsers carry the pin in a session cookie, API clients in a request header; both are set on
every response (the header always, the cookie when it changes) so that a client that echoes
either stays on one version for its whole session.
"""

from __future__ import annotations

COOKIE_NAME = b"weaver-version"
HEADER = b"Weaver-Version"
"""Request: the pin (wins over the cookie). Response: the version that served. Backend: same."""
REPINNED_HEADER = b"Weaver-Repinned-From"
"""Response: the pinned version that is no longer serving; the session moved to Weaver-Version."""

_COOKIE_PREFIX = COOKIE_NAME + b"="


def cookie_pin(cookie_header: bytes) -> str | None:
    """The weaver-version value in a Cookie header, or None."""
    if _COOKIE_PREFIX not in cookie_header:
        return None
    for part in cookie_header.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == COOKIE_NAME:
            return value.strip(b'"').decode("latin-1")
    return None


def set_cookie(version: str) -> bytes:
    """A Set-Cookie value pinning the browser session to `version`."""
    return _COOKIE_PREFIX + version.encode() + b"; Path=/; HttpOnly; SameSite=Lax"
