"""weaver.rpc: the transport between processes of one app version.

Framing, multiplexed calls, deadlines, cancellation, errors, retries, load balancing and the
version handshake. The runtime creates a `Server` per proclet and a `ReplicaSet` (a `Caller`)
per remote component; see docs/contracts.md ("Transport as seen by the runtime").

Modules: `frames` (wire format, incremental decoder), `protocol` (what both ends share:
handshake, write coalescing, timeouts, closing), `client` (`Connection`, `connect`),
`server` (`Server`), `dispatch` (one accepted connection: runs handlers as eagerly started
tasks, `weaver.internal.eager`), `replica` / `replicaset` (connection states, balancing,
retries), `hashring` (routing by key), `backoff`, `address`, `loop` (uvloop). The benchmark is
`weaver_bench.rpc`.
"""

from weaver.internal.loop import install as install_uvloop
from weaver.rpc.client import Connection, connect
from weaver.rpc.frames import DEFAULT_MAX_FRAME, PROTOCOL_VERSION
from weaver.rpc.protocol import Identity
from weaver.rpc.replica import State
from weaver.rpc.replicaset import ReplicaSet
from weaver.rpc.server import Server

__all__ = [
    "DEFAULT_MAX_FRAME",
    "PROTOCOL_VERSION",
    "Connection",
    "Identity",
    "ReplicaSet",
    "Server",
    "State",
    "connect",
    "install_uvloop",
]
