"""Automatic call metrics of hello under a real multi deployment, scraped from the manager.

Each GET /hello?name=X is Main -> Greeter.greet -> Counter.add and Counter.hop (three remote
calls, each counted on both sides); an empty name fails in Greeter with the EmptyName app error
before Counter is called. The test sends known numbers of both, kills a Counter replica
between two batches, and checks the parsed exposition edge by edge.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

import weaver
import weaver.testing
from apps.hello.counter import Counter
from support import rawhttp
from weaver.internal import envvars
from weaver.runtime import status
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp

CONFIG = "[weaver.metrics]\nreport_interval = 0.1\nremote_sample = 1\n"  # time every call: histogram count == calls
MAIN = "weaver.Main"
GREETER = "apps.hello.greeter.Greeter"
COUNTER = "apps.hello.counter.Counter"

Key = tuple[str, str, str, str, str]  # caller, component, method, remote, side




class Scrape:
    """One parsed /metrics document, indexed by edge side."""

    def __init__(self, text: str, version: str) -> None:
        self.calls: dict[Key, float] = {}
        self.errors: dict[tuple[Key, str], float] = {}
        self.counts: dict[Key, float] = {}
        self.infs: dict[Key, float] = {}
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                lb = s.labels
                if not fam.name.startswith("weaver_method_"):
                    continue
                assert lb["version"] == version, lb
                key = (lb["caller"], lb["component"], lb["method"], lb["remote"], lb["side"])
                if s.name == "weaver_method_calls_total":
                    self.calls[key] = s.value
                elif s.name == "weaver_method_errors_total":
                    self.errors[(key, lb["kind"])] = s.value
                elif s.name == "weaver_method_latency_seconds_count":
                    self.counts[key] = s.value
                elif s.name == "weaver_method_latency_seconds_bucket" and lb["le"] == "+Inf":
                    self.infs[key] = s.value

    def nonzero_errors(self) -> dict[tuple[Key, str], float]:
        return {k: v for k, v in self.errors.items() if v}


def expected(ok: int, empty: int) -> dict[Key, float]:
    """Calls per edge side for `ok` greetings and `empty` failed ones."""
    return {
        (MAIN, GREETER, "greet", "true", "caller"): ok + empty,
        ("", GREETER, "greet", "true", "callee"): ok + empty,
        (GREETER, COUNTER, "add", "true", "caller"): ok,
        ("", COUNTER, "add", "true", "callee"): ok,
        (GREETER, COUNTER, "hop", "true", "caller"): ok,
        ("", COUNTER, "hop", "true", "callee"): ok,
    }


async def send(address: str, names: list[str]) -> list[int]:
    return [(await rawhttp.get(address, f"/hello?name={n}"))[0] for n in names]


async def multi_metrics(state_root: Path, *args: str) -> str:
    """`python -m weaver multi metrics ARGS` against the deployments under `state_root`."""
    env = {**os.environ, envvars.STATE_DIR: str(state_root), "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "weaver", "multi", "metrics", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(60):
            out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_call_counts_errors_and_histograms_per_edge_survive_a_replica_restart(tmp_path: Path) -> None:
    async with weaver.testing.start("apps.hello", mode="multi", config=CONFIG) as app:
        assert isinstance(app, MultiApp)
        address = app.listener("hello").address
        endpoint = app.manager.status().metrics
        assert endpoint.startswith("127.0.0.1:")
        version = app.manager.info.version

        async def scrape() -> Scrape:
            status, body = await rawhttp.get(endpoint, "/metrics")
            assert status == 200
            return Scrape(body.decode(), version)

        async def reaches(ok: int, empty: int) -> Scrape:
            want = expected(ok, empty)

            async def check() -> Scrape:
                got = await scrape()
                assert {k: got.calls.get(k) for k in want} == want
                return got

            what = f"call counts of {ok} + {empty} requests"
            return await eventually(check, timeout=20, what=what, ignore=(AssertionError,))

        assert await send(address, [f"u{i % 5}" for i in range(12)] + ["", ""]) == [200] * 12 + [400] * 2
        first = await reaches(12, 2)
        app.kill_replica(Counter, 0)  # its counts so far must stay in the sums
        await app.wait_recovered(Counter, timeout=30)
        assert await send(address, [f"v{i % 7}" for i in range(9)] + [""]) == [200] * 9 + [400]
        got = await reaches(21, 3)

        for key, n in expected(21, 3).items():
            assert got.counts[key] == n == got.infs[key], key  # every remote call is timed
            assert got.calls[key] >= first.calls[key]
        assert got.nonzero_errors() == {
            ((MAIN, GREETER, "greet", "true", "caller"), "app"): 3,
            (("", GREETER, "greet", "true", "callee"), "app"): 3,
        }
        again = await scrape()  # counts are stable once reported: nothing is counted twice
        assert {k: again.calls.get(k) for k in expected(21, 3)} == expected(21, 3)

        # `weaver multi metrics` finds the deployment by its status.json and prints the same figures
        published = tmp_path / "multi" / app.manager.info.app / version / "status.json"
        status.write(published, app.manager.status())
        table = await multi_metrics(tmp_path, "Counter")
        rows = [line.split("│") for line in table.splitlines() if "│" in line and "remote" in line]
        cells = {tuple(c.strip() for c in r[1:6]): [c.strip() for c in r[6:11]] for r in rows}
        assert cells == {
            (GREETER, "Counter", "add", "remote", "caller"): ["21", "0", "0", "0", "0"],
            ("-", "Counter", "add", "remote", "callee"): ["21", "0", "0", "0", "0"],
            (GREETER, "Counter", "get", "remote", "caller"): ["0", "0", "0", "0", "0"],
            ("-", "Counter", "get", "remote", "callee"): ["0", "0", "0", "0", "0"],
            (GREETER, "Counter", "hop", "remote", "caller"): ["21", "0", "0", "0", "0"],
            ("-", "Counter", "hop", "remote", "callee"): ["21", "0", "0", "0", "0"],
        }, table
        greet = await multi_metrics(tmp_path, "weaver.Main")
        assert "greet" in greet and " 24 " in greet and " 3 " in greet, greet
