"""The app's TOML config: loading it and decoding one component's section.

A component's section is keyed by its full name, e.g. `[apps.hello.greeter.Greeter]` (TOML
makes that a nested table; a quoted `["apps.hello.greeter.Greeter"]` works too). The
`[weaver]` section holds runtime options. Errors name the section and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from typing import Any

import msgspec

from weaver.errors import WeaverError

ConfigDict = Mapping[str, Any]


class ConfigError(WeaverError, ValueError):
    """The config file is malformed or a section does not match its component's struct."""


class MetricsOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `[weaver.metrics]` section (docs/metrics.md)."""

    enabled: bool = True
    """Automatic call metrics on every component method (`WEAVER_METRICS=0` overrides)."""
    local: bool = True
    """Also meter co-located calls (about +50 ns each on the CI VMs: docs/metrics.md)."""
    local_sample: int = 64
    """Time 1 in this many co-located calls (a power of two; 1 times every call)."""
    remote_sample: int = 64
    """Time 1 in this many remote calls, on each side (a power of two; 1 times every call)."""
    report_interval: float = 1.0
    """Seconds between a proclet's reports to its manager."""


class TracingOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `[weaver.tracing]` section (docs/observability.md)."""

    enabled: bool | None = None
    """Trace component calls and HTTP requests; unset: on under `weaver multi`, off elsewhere."""
    sample_ratio: float = 0.1
    """The share of new traces recorded (0..1); a request with a sampled parent is always recorded."""
    otlp_endpoint: str = ""
    """Also export spans by OTLP/HTTP (JSON) to `<endpoint>/v1/traces`, e.g. http://127.0.0.1:4318."""
    keep_traces: int = 100
    """How many recent traces per version the manager keeps for the dashboard."""


class WeaverOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `[weaver]` section."""

    name: str = ""
    eager: bool = False
    """Create every component at start instead of on first use."""
    listeners: dict[str, dict[str, str]] = {}
    """`[weaver.listeners.<name>] address = "host:port"`."""
    metrics: MetricsOptions = msgspec.field(default_factory=MetricsOptions)
    access_log: bool | None = None
    """An access log entry per HTTP request on a listener; unset: on under `weaver multi` only."""
    tracing: TracingOptions = msgspec.field(default_factory=TracingOptions)


def load(path: str | None = None) -> dict[str, Any]:
    """Read the config from `path`, else `$WEAVER_CONFIG`, else an empty config."""
    path = path or os.environ.get("WEAVER_CONFIG") or None
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror}") from e
    try:
        text = data.decode()
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ConfigError(f"{path}: not UTF-8 (byte {data[e.start]:#04x} at line {line})") from None
    return parse(text, path)


def parse(text: str, where: str = "<config>") -> dict[str, Any]:
    """Parse TOML text; any error is a ConfigError naming `where` and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: {_at_a_line(str(e), text)}") from None
    except RecursionError:  # tomllib recurses per nesting level of arrays and inline tables
        raise ConfigError(f"{where}: arrays or inline tables nested too deeply (at line {_deepest(text)})") from None
    except ValueError:  # int() refuses a decimal integer of over 4300 digits (sys.int_info)
        long = re.search(r"[0-9_]{4300,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else 1
        raise ConfigError(f"{where}: an integer too long to convert (at line {line})") from None


def _at_a_line(message: str, text: str) -> str:
    """tomllib says "(at end of document)" for errors at the end: say which line that is."""
    if message.endswith("(at end of document)"):
        return f"{message[:-1]}, line {text.count(chr(10)) + 1})"
    return message


def _deepest(text: str) -> int:
    """The line where `[`/`{` nesting (outside quotes, roughly) is deepest: only for the message."""
    depth = best = 0
    line = best_line = 1
    quote = ""
    for ch in text:
        if ch == "\n":
            line += 1
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth -= 1
    return best_line


def section(config: ConfigDict, name: str) -> Mapping[str, Any] | None:
    """The table for dotted `name`, as a quoted key or as nested tables; None if absent."""
    if name in config:
        value = config[name]
    else:
        value = config
        for part in name.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
    if not isinstance(value, Mapping):
        raise ConfigError(f"config [{name}] must be a table, not {type(value).__name__}")
    return value


def decode(config: ConfigDict, name: str, tp: type[Any]) -> Any:
    """Decode section `[name]` into struct type `tp`; unknown keys and bad types are errors."""
    table = section(config, name)
    if table is None:
        return tp()
    known = {f.encode_name for f in msgspec.structs.fields(tp)}
    for key in table:
        if key not in known:
            raise ConfigError(f"config [{name}]: unknown key {key!r} (known keys: {', '.join(sorted(known))})")
    try:
        return msgspec.convert(dict(table), tp, strict=True)
    except msgspec.ValidationError as e:
        raise ConfigError(f"config [{name}]: {_say_key(str(e))}") from None


def options(config: ConfigDict) -> WeaverOptions:
    """The `[weaver]` section."""
    table = config.get("weaver", {})
    # component sections under the `weaver.` namespace (e.g. [weaver.Main]) are not options.
    table = {k: v for k, v in table.items() if k in WeaverOptions.__struct_fields__}
    try:
        return msgspec.convert(table, WeaverOptions, strict=True)
    except msgspec.ValidationError as e:
        raise ConfigError(f"config [weaver]: {_say_key(str(e))}") from None


def listener_address(config: ConfigDict, name: str) -> str:
    """The address configured for listener `name`, default 127.0.0.1:0."""
    entry = options(config).listeners.get(name, {})
    unknown = set(entry) - {"address"}
    if unknown:
        raise ConfigError(f"config [weaver.listeners.{name}]: unknown key {sorted(unknown)[0]!r}")
    return entry.get("address", "127.0.0.1:0")


def _say_key(message: str) -> str:
    """Turn msgspec's `... - at `$.key`` into `key 'key': ...`."""
    head, sep, path = message.rpartition(" - at `$.")
    if not sep:
        return message
    return f"key {path.rstrip('`')!r}: {head}"
