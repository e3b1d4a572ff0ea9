"""The `[kube]` section of a deployment's TOML: namespace, image, listeners and groups.

    [kube]
    namespace = "shop"
    image = "python:3.11-slim"          # the base image the version's PEX runs in
    grace = 30                          # terminationGracePeriodSeconds
    host_network = false                # pods on the node's network (the local cluster: no kube-proxy)
    api_server = "127.0.0.1:6443"       # where pods reach the API server (default: in-cluster Service)
    api_socket = "/run/weaver/api.sock" # or: a Unix socket on the node relaying to it (the local
                                        # cluster's pods on the pod network; apisocket.py)
    [kube.listeners.boutique]
    public = true                       # a LoadBalancer Service; else ClusterIP
    port = 80
    container_port = 8080               # what the pod listens on (default 8080 + listener index)
    proxy_port = 8000                   # the rollout proxy's port for it (default: port)
    [kube.proxy]                        # the version-pinning proxy of `weaver kube rollout`
    admin_port = 9400                   # listener i's admin endpoint: admin_port + i
    cpu = "100m"
    memory = "128Mi"
    [kube.groups.Main]
    replicas = 2                        # or min/max: an autoscaled group (HPA)
    cpu = "500m"
    memory = "256Mi"

Unknown keys and wrong types are errors naming the file, the section and the key.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TypeVar

import msgspec

from weaver.config import ConfigError

_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


class ListenerConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    public: bool = False
    port: int = 80
    container_port: int | None = None
    """The port the pod serves the listener on (default 8080 + the listener's index)."""
    proxy_port: int | None = None
    """The port the rollout's proxy pods serve the listener on (default: `port`)."""


class ProxyConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The rollout's proxy Deployment (`weaver kube rollout`)."""

    admin_port: int = 9400
    """Listener i's admin endpoint (tables in, counters out) is on admin_port + i."""
    replicas: int = 1
    cpu: str = "100m"
    memory: str = "128Mi"


class GroupConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    replicas: int | None = None
    min: int | None = None
    max: int | None = None
    cpu: str = "250m"
    memory: str = "256Mi"
    cpu_limit: str | None = None
    memory_limit: str | None = None
    target_cpu: int = 80
    """Average CPU utilization (percent of the request) the HPA aims for."""


class KubeConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    namespace: str = "default"
    image: str = "python:3.11-slim"
    grace: int = 30
    host_network: bool = False
    api_server: str = ""
    """HOST:PORT the in-pod envelope watches pods through, instead of the `kubernetes` Service."""
    api_socket: str = ""
    """A Unix socket on the node relaying to the API server; pods mount its directory."""
    rpc_port: int = 10000
    """Group i's pods serve rpc on rpc_port + i and health on health_port + i."""
    health_port: int = 9090
    listeners: dict[str, ListenerConfig] = {}
    groups: dict[str, GroupConfig] = {}
    proxy: ProxyConfig = msgspec.field(default_factory=ProxyConfig)


def parse(text: str, where: str) -> KubeConfig:
    """The `[kube]` section of TOML `text` (defaults if absent); ConfigError naming `where`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: not TOML: {e}") from None
    section = doc.get("kube", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: [kube] must be a table")
    top = {k: v for k, v in section.items() if k not in ("listeners", "groups", "proxy")}
    cfg = _convert(top, KubeConfig, where, "")
    proxy = section.get("proxy", {})
    if not isinstance(proxy, dict):
        raise ConfigError(f"{where}: [kube] key proxy: must be a table")
    listeners = {
        n: _convert(v, ListenerConfig, where, f"listeners.{n}.") for n, v in _tables(section, "listeners", where)
    }
    groups = {n: _convert(v, GroupConfig, where, f"groups.{n}.") for n, v in _tables(section, "groups", where)}
    cfg = msgspec.structs.replace(
        cfg, listeners=listeners, groups=groups, proxy=_convert(proxy, ProxyConfig, where, "proxy.")
    )
    _check(cfg, where)
    return cfg


T = TypeVar("T")


def _tables(section: dict[str, object], key: str, where: str) -> list[tuple[str, object]]:
    entries = section.get(key, {})
    if not isinstance(entries, dict):
        raise ConfigError(f"{where}: [kube] key {key}: must be a table of tables")
    return list(entries.items())


def _convert(value: object, kind: type[T], where: str, prefix: str) -> T:
    """msgspec.convert, with errors naming the key (`groups.Main.cpus`) instead of `$[...]`."""
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as e:
        message = str(e)
        unknown = re.search(r"unknown field `([^`]+)`", message)
        if unknown:
            raise ConfigError(f"{where}: [kube] key {prefix}{unknown.group(1)}: unknown key") from None
        text, sep, at = message.rpartition(" - at `$.")
        key = prefix + at.rstrip("`") if sep else prefix.rstrip(".")
        raise ConfigError(f"{where}: [kube] key {key or '(section)'}: {text if sep else message}") from None


def load(path: str | Path) -> KubeConfig:
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    return parse(text, str(path))


def _check(cfg: KubeConfig, where: str) -> None:
    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{where}: [kube] key {key}: {why}")

    if not _DNS_LABEL.match(cfg.namespace):
        raise bad("namespace", f"{cfg.namespace!r} is not a DNS label (lower-case letters, digits, '-')")
    if not cfg.image or any(c.isspace() for c in cfg.image):
        raise bad("image", f"{cfg.image!r} is not an image reference")
    if cfg.api_server and not re.fullmatch(r"[A-Za-z0-9.-]+:[0-9]{1,5}", cfg.api_server):
        raise bad("api_server", f"{cfg.api_server!r} is not HOST:PORT")
    if cfg.api_socket:
        if not cfg.api_socket.startswith("/") or cfg.api_socket.endswith("/"):
            raise bad("api_socket", f"{cfg.api_socket!r} is not an absolute path to a socket file")
        if cfg.api_server or cfg.host_network:
            key = "api_server" if cfg.api_server else "host_network"
            raise bad(key, "not with api_socket (a pod reaches the API server either through the socket or directly)")
    if not 0 <= cfg.grace <= 3600:
        raise bad("grace", f"{cfg.grace} is not between 0 and 3600 seconds")
    for key, port in (("rpc_port", cfg.rpc_port), ("health_port", cfg.health_port)):
        if not 1 <= port <= 65000:
            raise bad(key, f"{port} is not a TCP port (at most 65000: groups add their index)")
    for name, lc in cfg.listeners.items():
        if not 1 <= lc.port <= 65535:
            raise bad(f"listeners.{name}.port", f"{lc.port} is not a TCP port")
        for key in ("container_port", "proxy_port"):
            port = getattr(lc, key)
            if port is not None and not 1 <= port <= 65535:
                raise bad(f"listeners.{name}.{key}", f"{port} is not a TCP port")
    if not 1 <= cfg.proxy.admin_port <= 65000:
        why = "is not a TCP port (at most 65000: listeners add their index)"
        raise bad("proxy.admin_port", f"{cfg.proxy.admin_port} {why}")
    if not 1 <= cfg.proxy.replicas <= 100:
        raise bad("proxy.replicas", f"{cfg.proxy.replicas} is not between 1 and 100")
    for field in ("cpu", "memory"):
        if not _QUANTITY.match(getattr(cfg.proxy, field)):
            value = getattr(cfg.proxy, field)
            raise bad(f"proxy.{field}", f"{value!r} is not a Kubernetes quantity (e.g. 100m, 128Mi)")
    for name, gc in cfg.groups.items():
        key = f"groups.{name}"
        for field in ("cpu", "memory", "cpu_limit", "memory_limit"):
            value = getattr(gc, field)
            if value is not None and not _QUANTITY.match(value):
                raise bad(f"{key}.{field}", f"{value!r} is not a Kubernetes quantity (e.g. 250m, 512Mi)")
        if gc.replicas is not None and (gc.min is not None or gc.max is not None):
            raise bad(key, "give replicas (fixed) or min and max (autoscaled), not both")
        if (gc.min is None) != (gc.max is None):
            raise bad(key, "an autoscaled group needs both min and max")
        if gc.min is not None and gc.max is not None and not 1 <= gc.min <= gc.max:
            raise bad(key, f"min {gc.min} and max {gc.max} must satisfy 1 <= min <= max")
        if gc.replicas is not None and gc.replicas < 0:
            raise bad(f"{key}.replicas", f"{gc.replicas} is negative")
        if not 1 <= gc.target_cpu <= 100:
            raise bad(f"{key}.target_cpu", f"{gc.target_cpu} is not a percentage")
