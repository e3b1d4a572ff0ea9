"""Synthetic warm-up requests: the new version's listeners get `GET path` before it takes traffic.

Cold caches and first template renders make a fresh version's first requests slow; sending them
here, straight to the version's private listener (not through the proxy, so no user sees them and
the gate never counts them), keeps the gate from judging a cold start. A 5xx answer or a transport
error is a failed warm-up: the controller rolls back before any user reaches the version.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field

from weaver.internal.address import AddressError, parse_address
from weaver.rollout.paths import RolloutError

TIMEOUT_S = 10.0
"""Per warm-up request (connect, send, read the answer)."""


@dataclass(frozen=True)
class Target:
    """One warm-up path on one listener of the new version."""

    listener: str
    address: str
    path: str


@dataclass
class WarmupResult:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def parse_paths(specs: list[str], flag: str = "--warmup-path") -> list[tuple[str | None, str]]:
    """`[LISTENER=]/path` specs as (listener or None, path); RolloutError naming the bad one."""
    out: list[tuple[str | None, str]] = []
    for spec in specs:
        name, sep, path = ("", "", spec) if spec.startswith("/") else spec.partition("=")
        listener: str | None = name if sep else None
        if not path.startswith("/") or any(c.isspace() for c in path) or (sep and not name):
            raise RolloutError(f"{flag} {spec!r}: expected [LISTENER=]/path, a path starting with '/'")
        out.append((listener, path))
    return out


def targets(specs: list[str], backends: dict[str, str], flag: str = "--warmup-path") -> list[Target]:
    """The warm-up targets of `specs` on a version whose listeners are `backends` (name -> address).

    A spec without a listener name is for the app's only listener."""
    out = []
    for listener, path in parse_paths(specs, flag):
        if listener is None:
            if len(backends) != 1:
                names = ", ".join(sorted(backends)) or "none"
                raise RolloutError(f"{flag} {path}: the app has listeners {names}; write NAME={path}")
            listener = next(iter(backends))
        if listener not in backends:
            raise RolloutError(f"{flag} {listener}={path}: the app has no listener {listener!r}")
        out.append(Target(listener, backends[listener], path))
    return out


class HttpWarmer:
    """Sends warm-up requests with the standard library's HTTP client, one connection per listener."""

    def warm(self, targets: list[Target], rounds: int) -> WarmupResult:
        result = WarmupResult()
        started = time.monotonic()
        conns: dict[str, http.client.HTTPConnection] = {}
        try:
            for _ in range(rounds):
                for t in targets:
                    result.requests += 1
                    failure = self._get(conns, t)
                    if failure:
                        result.failures.append(failure)
        finally:
            for c in conns.values():
                c.close()
        result.elapsed_s = time.monotonic() - started
        return result

    def _get(self, conns: dict[str, http.client.HTTPConnection], t: Target) -> str | None:
        where = f"GET {t.path} on {t.listener} ({t.address})"
        try:
            conn = conns.get(t.address)
            if conn is None:
                host, port = parse_address(t.address, what=f"listener {t.listener}")
                conn = conns[t.address] = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
            conn.request("GET", t.path, headers={"User-Agent": "weaver-rollout-warmup"})
            response = conn.getresponse()
            response.read()
            if response.will_close:
                conns.pop(t.address).close()
        except (OSError, http.client.HTTPException, AddressError) as e:
            broken = conns.pop(t.address, None)
            if broken is not None:
                broken.close()
            return f"{where}: {type(e).__name__}: {e}"
        if response.status >= 500:
            return f"{where}: {response.status} {response.reason}"
        return None
