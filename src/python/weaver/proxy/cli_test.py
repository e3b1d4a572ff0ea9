"""The command: starts from a table file, serves, takes a new table over the admin port, stops."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from weaver.proxy.conftest import Stack
from weaver.proxy.table import Table, Version, encode_table


async def test_command_serves_and_stops_on_sigterm(stack: Stack, tmp_path: Path) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    table = tmp_path / "table.json"
    table.write_bytes(encode_table(Table({"v1": Version(1, [a.address])})))
    src = str(Path(__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = ["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--table", str(table), "--grace", "0"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "weaver.proxy", *args, stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(20):
            listen = (await proc.stdout.readline()).decode().split()[-1]
            admin_addr = (await proc.stdout.readline()).decode().split()[-1]
        user = await stack.client(listen)
        assert (await user.request("GET", "/")).header("x-backend") == "a"
        admin = await stack.client(admin_addr)
        new = encode_table(Table({"v2": Version(1, [b.address])}))
        assert (await admin.request("PUT", "/table", body=new)).status == 200
        assert (await user.request("GET", "/")).header("x-backend") == "b"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            assert await proc.wait() == 0
