"""The environment variables weaver's processes pass to each other, named once.

A deployer sets them for the processes it starts; the runtime and the commands read them.
"""

from __future__ import annotations

APP = "WEAVER_APP"
"""The app's name (from its config or package)."""
VERSION = "WEAVER_VERSION"
"""The version ID: the sha256 of the app's PEX, or `dev` when run from source."""
CONFIG = "WEAVER_CONFIG"
"""Path of the app's TOML config."""
STATE_DIR = "WEAVER_STATE_DIR"
"""Where deployments keep their state (see `weaver.internal.statedir`)."""
PROCLET = "WEAVER_PROCLET"
"""Set in a process an envelope started: run as a proclet, not as the app's main."""
PROCLET_FD = "WEAVER_PROCLET_FD"
"""The file descriptor of the proclet's pipe to its envelope."""
RPC_DIR = "WEAVER_RPC_DIR"
"""A private directory where the proclet also serves rpc on a Unix socket (for same-host peers)."""
RPC_LISTEN = "WEAVER_RPC_LISTEN"
"""Where a proclet serves rpc over TCP (`tcp://HOST:PORT`; default 127.0.0.1, any port): a pod's fixed port."""
GEN_PATH = "WEAVER_GEN_PATH"
"""Extra import path holding generated code (apps run from source)."""
PROXY_FDS = "WEAVER_PROXY_FDS"
"""Set in a rollout proxy worker: `NAME=FD,...`, the public sockets its guard bound and holds."""
PROXY_TRACE_SAMPLE = "WEAVER_PROXY_TRACE_SAMPLE"
"""The share (0..1) of new traces a rollout proxy worker records (default 0.1, as `[weaver.tracing]`)."""
METRICS = "WEAVER_METRICS"
"""`0`/`off` turns automatic call metrics off in this process (benchmarks' baseline); overrides config."""
