"""A rollout of hello with tracing on: the proxy's spans and access log reach the version's manager.

Builds A and B of hello with OpenTelemetry; the rollout proxy records every new trace
(WEAVER_PROXY_TRACE_SAMPLE=1). Requests through the proxy during and after the rollout of
A -> B must leave, in B's manager: traces whose root is the proxy's span with the listener's
span and the components' spans parented under it, across processes; and in B's log store, the
proxy's access line for each such trace id next to the listener's.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pytest

from e2e.rollout_builds import SRC, build_hello
from e2e.rollout_load import Load, request
from e2e.rollout_rig import Build, Weaver, failures, first_deploy
from weaver.dashboard.model import Overview
from weaver.deployers.multi.tracestore import TraceSummary
from weaver.internal import envvars
from weaver.rollout.deployer import MultiDeployer
from weaver.testing.eventually import eventually_blocking
from weaver.tracing import SpanRecord

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    out = tmp_path_factory.mktemp("traced")
    with ThreadPoolExecutor(2) as pool:
        greetings = {"A": "Hello", "B": "Howdy"}
        futures = {k: pool.submit(build_hello, out, greeting, traced=True) for k, greeting in greetings.items()}
        return {k: Build(*f.result()) for k, f in futures.items()}


def get(address: str, path: str) -> bytes:
    with _opener.open(f"http://{address}{path}", timeout=10) as resp:
        return bytes(resp.read())


SEEN: list[str] = []
"""What the last look at the manager found (for the failure message)."""


def proxied_traces(manager: str) -> list[list[SpanRecord]]:
    """The manager's traces rooted at a proxy span that have arrived from every process they
    crossed: every parent present, and the Greeter's server span (reported by its own process)."""
    out = []
    for summary in msgspec.json.decode(get(manager, "/traces"), type=list[TraceSummary]):
        if not summary.root.startswith("proxy GET /hello"):
            continue
        spans = msgspec.json.decode(get(manager, f"/traces?id={summary.trace_id}"), type=list[SpanRecord])
        ids = {s.span_id for s in spans}
        servers = {s.name.split(".", 1)[0] for s in spans if s.kind == "server"}
        SEEN.append(f"{summary.trace_id[:8]}: {sorted(s.name for s in spans)}")
        del SEEN[:-5]
        if all(s.parent_id in ids for s in spans if s.parent_id) and "Greeter" in servers:
            out.append(spans)  # every parent there, and the Greeter's side (it reports on its own)
    return out


def access_lines(weaver: Weaver, trace_id: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "weaver", "multi", "logs", "--app", "hello", f"trace_id={trace_id}",
         "component=weaver.access"],
        env=weaver.env, cwd=SRC, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_proxys_span_roots_the_new_versions_traces_and_its_access_lines_are_in_its_logs(
    weaver: Weaver, traced: dict[str, Build]
) -> None:
    a, b = traced["A"], traced["B"]
    weaver.env[envvars.PROXY_TRACE_SAMPLE] = "1"
    first_deploy(weaver, a)
    with Load(weaver.address) as load:
        time.sleep(0.5)
        done = weaver.deploy(b, "--steps", "50,100", "--duration", "3s")
        results = load.stop()
    assert done.returncode == 0, done.stderr + done.stdout
    assert failures(results) == [] and any(r.version == b.version for r in results)
    for _ in range(5):
        res, _pin = request(weaver.address, None)
        assert res.ok and res.version == b.version, res
    health = MultiDeployer(weaver.paths.state_root).status("hello", b.version)
    assert health is not None and health.manager
    assert weaver.state().versions[b.version].manager == health.manager  # what the proxy was told

    shown = msgspec.json.decode(get(health.manager, "/dashboard.json"), type=Overview)
    (rollout,) = shown.rollouts  # the rollout section, from what the controller recorded
    assert (rollout.new, rollout.old, rollout.phase) == (b.version, a.version, "done")
    assert rollout.weights == {b.version: 100.0}
    assert {p.step for p in rollout.points if p.decision == "pass"} == {0, 1}  # both steps passed, tick by tick
    assert "<h2>rollout of hello" in get(health.manager, "/dashboard").decode()

    try:
        # Each try sends one more request first: under load, the trace store's newest-N window may
        # drop a trace before its last process's spans arrive, so a fresh one is always in flight.
        def fresh_proxied_traces() -> list[list[SpanRecord]]:
            res, _pin = request(weaver.address, None)
            assert res.ok and res.version == b.version, res
            return proxied_traces(health.manager)

        traces = eventually_blocking(fresh_proxied_traces, timeout=90, what="a complete trace rooted at the proxy")
    except AssertionError as e:
        raise AssertionError(f"{e}; the last proxied traces seen: {SEEN}") from None
    for spans in traces:
        by_id = {s.span_id: s for s in spans}
        (root,) = (s for s in spans if not s.parent_id)
        assert (root.kind, root.process, root.attributes["weaver.version"]) == ("server", "proxy", b.version)
        assert root.attributes["http.status_code"] == "200"
        (http,) = (s for s in spans if s.name.startswith("HTTP GET /hello"))
        assert http.parent_id == root.span_id and http.process != "proxy"  # the listener's, under the proxy's
        components = [s for s in spans if s is not root and s is not http]
        assert {s.name.split(".", 1)[0] for s in components if s.kind == "server"} >= {"Greeter"}
        for s in components:  # every component span hangs under the listener's span
            up = s
            while up.parent_id != http.span_id:
                up = by_id[up.parent_id]
                assert up is not root
        assert all(s.start_ns >= root.start_ns for s in spans)

    def both_lines() -> list[str]:
        lines = access_lines(weaver, traces[0][0].trace_id)
        return lines if len(lines) >= 2 else []

    lines = eventually_blocking(both_lines, timeout=30, what="the proxy's and the listener's access lines")
    proxy_lines = [line for line in lines if "] GET /hello 200" in line and " proxy hello" in line]
    assert len(proxy_lines) == 1, lines
    assert all(f"hello@{b.version[:8]}" in line for line in lines), lines
    assert all(f"trace={traces[0][0].trace_id}" in line for line in lines), lines
