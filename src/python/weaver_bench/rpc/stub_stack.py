"""The generated call path, with and without automatic metrics: `weaver-stub`, `weaver-stub-off`.

Server and client use the generated code of `weaver_bench.echo` (client stub over a ReplicaSet,
server handlers), exactly what a remote `Ref` call runs, so the two stacks differ only in the
metered twins (`weaver.codegen.metered`) that `[weaver.metrics] enabled` picks. The request is
Echo.echo(int): cheaper than the other stacks' message, which makes the metrics' share larger.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import weaver.testing
from weaver.internal import registry
from weaver.metrics.calls import settings
from weaver.rpc.protocol import Identity
from weaver.rpc.replicaset import ReplicaSet
from weaver.rpc.server import Server
from weaver_bench.rpc import workload

ECHO = "weaver_bench.echo.echo.Echo"
IDENTITY = Identity("bench", "v1", "client")


def _registration(metrics: bool) -> registry.Registration:
    weaver.testing.ensure_generated("weaver_bench.echo")
    import weaver_bench.echo.weaver_gen  # noqa: F401  (registers Echo)
    from weaver_bench.echo.echo import EchoImpl  # noqa: F401

    settings.configure(metrics, 64)
    return registry.get(ECHO)


async def serve(host: str, metrics: bool) -> tuple[str, object]:
    from weaver_bench.echo.echo import EchoImpl

    reg = _registration(metrics)
    server = Server(reg.handlers(EchoImpl()), "bench", "v1", "server")
    return await server.listen(f"tcp://{host}:0"), server


async def client(address: str, metrics: bool) -> Callable[[bytes], Awaitable[bytes]]:
    reg = _registration(metrics)
    stub = reg.client_stub(ReplicaSet(IDENTITY, [address]), "bench.Client")
    reply = workload.handle(workload.REQUEST)  # what `phase` checks the last reply against

    async def call(payload: bytes) -> bytes:
        await stub.echo(7)  # type: ignore[attr-defined]
        return reply

    await call(b"")  # connect
    return call
