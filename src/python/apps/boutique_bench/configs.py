"""The weaver variants' configs: `deploy/boutique/{colocated,split}.toml` with a free port.

The repo's files are used when the bench runs from a checkout; a packaged bench (no `deploy/`
next to it) falls back to equivalent built-in text. `source()` says which one was used.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_ADDRESS = re.compile(r'^(\s*address\s*=\s*)"[^"]*"', re.MULTILINE)

_BUILTIN = {
    "colocated.toml": """[weaver]
name = "boutique"

[weaver.listeners.boutique]
address = "127.0.0.1:12000"
""",
    "split.toml": """[weaver]
name = "boutique"
colocate = []

[weaver.listeners.boutique]
address = "127.0.0.1:12000"

[multi]
replicas = 1
""",
}


def deploy_dir() -> Path | None:
    """`deploy/boutique` of the checkout holding this file (or of the working directory)."""
    here = Path(__file__).resolve()
    candidates = [p / "deploy" / "boutique" for p in here.parents] + [Path.cwd() / "deploy" / "boutique"]
    env = os.environ.get("BOUTIQUE_DEPLOY_DIR")
    if env:
        candidates.insert(0, Path(env))
    return next((c for c in candidates if (c / "split.toml").is_file()), None)


def source(name: str) -> str:
    """Where config `name` comes from: a file path, or 'built-in'."""
    d = deploy_dir()
    return str(d / name) if d is not None and (d / name).is_file() else "built-in"


def _with_address(name: str, address: str) -> str:
    d = deploy_dir()
    path = d / name if d is not None else None
    text = path.read_text() if path is not None and path.is_file() else _BUILTIN[name]
    out, n = _ADDRESS.subn(lambda m: f'{m.group(1)}"{address}"', text)
    if n != 1:
        raise ValueError(f"{name}: expected one listener address to replace, found {n}")
    return out


def _with_redis(text: str, redis: str | None) -> str:
    """`text` with the cart store in the Redis at `redis` (host:port), if given."""
    return text if redis is None else text + f'\n[apps.boutique.cartstore.CartStore]\nredis = "{redis}"\n'


def colocated_config(address: str, redis: str | None = None) -> str:
    """colocated.toml, with the `boutique` listener on `address` (and carts in `redis`)."""
    return _with_redis(_with_address("colocated.toml", address), redis)


_WEAVER = re.compile(r"^\[weaver\][ \t]*$", re.MULTILINE)


def fair(text: str) -> str:
    """`text` with weaver's tracing and access log off unless it sets them: the notes' fairness
    rule (every variant has the same logging and no tracing; the shop logs its own access line).
    Under `weaver multi` both are on by default, and cost ~20% more CPU per request in the split
    shop (docs/observability.md) and a second access line per request."""
    if "access_log" not in text:
        text, n = _WEAVER.subn("[weaver]\naccess_log = false", text, count=1)
        if n != 1:
            raise ValueError("split.toml: expected a [weaver] section")
    if "[weaver.tracing]" not in text:
        text += "\n[weaver.tracing]\nenabled = false\n"
    return text


def split_config(address: str, redis: str | None = None) -> str:
    """split.toml, with the `boutique` listener on `address` (and carts in `redis`), made `fair`."""
    return _with_redis(fair(_with_address("split.toml", address)), redis)
