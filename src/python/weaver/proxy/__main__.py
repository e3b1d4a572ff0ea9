"""`python -m weaver.proxy --listen HOST:PORT --admin HOST:PORT [--table FILE.json]`.

Runs one proxy until SIGINT/SIGTERM. Prints "listening on H:P" and "admin on H:P" once bound
(port 0 picks a free port), so a parent process can find them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from weaver.internal.address import AddressError, parse_address
from weaver.internal.loop import run as run_on_loop
from weaver.internal.signals import stop_event
from weaver.proxy.limits import Limits
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table, TableError, decode_table


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m weaver.proxy", description=__doc__)
    p.add_argument("--listen", default="127.0.0.1:8000", help="address clients connect to")
    p.add_argument("--admin", default="127.0.0.1:8001", help="admin endpoint address ('' for none)")
    p.add_argument("--table", type=Path, help="initial traffic table (JSON)")
    p.add_argument("--max-body", type=int, default=Limits().max_body_bytes, help="bytes")
    p.add_argument("--max-header", type=int, default=Limits().max_header_bytes, help="bytes")
    p.add_argument("--grace", type=float, default=5.0, help="seconds to finish requests on exit")
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run the proxy described by `args` until a stop signal."""
    table = decode_table(args.table.read_bytes()) if args.table else Table()
    limits = Limits(max_header_bytes=args.max_header, max_body_bytes=args.max_body)
    proxy = Proxy(table, limits)
    host, port = await proxy.listen(*parse_address(args.listen, what="--listen", port_zero=True))
    print(f"listening on {host}:{port}", flush=True)
    if args.admin:
        host, port = await proxy.listen_admin(*parse_address(args.admin, what="--admin", port_zero=True))
        print(f"admin on {host}:{port}", flush=True)
    stop = stop_event()
    await stop.wait()
    await proxy.close(grace=args.grace)


def main(argv: list[str] | None = None) -> int:
    """Entry point; uses uvloop when installed."""
    args = _args(argv)
    try:
        run_on_loop(serve(args))
    except (TableError, AddressError, OSError) as e:
        print(f"weaver.proxy: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
