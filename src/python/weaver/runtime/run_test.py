"""`weaver.run` end to end in a subprocess: serves, stops on SIGTERM/SIGINT, exits 0."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from weaver.testing.eventually import eventually_blocking

ROOT = str(Path(__file__).parents[2])
SCRIPT = textwrap.dedent("""
    import atexit, sys
    import weaver, weaver.testing
    from weaver.testing.testapp.model import EVENTS
    weaver.testing.ensure_generated("weaver.testing.testapp")
    atexit.register(lambda: print("EVENTS", EVENTS, flush=True))
    weaver.run("weaver.testing.testapp")
""")


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for_address(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if match := re.search(r"listener api bound to (\S+)", line):
            return match.group(1)
    proc.kill()
    raise AssertionError("app did not log its listener address")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_then_shuts_down_in_reverse_order(sig: signal.Signals) -> None:
    proc = start()
    address = wait_for_address(proc)

    def served() -> bytes:
        with urllib.request.urlopen(f"http://{address}/", timeout=2) as reply:
            return bytes(reply.read())

    assert eventually_blocking(served, timeout=10, what=f"the app to serve on {address}", ignore=(OSError,)) == b"0"
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    # Main needs Store, which needs Audit (whose Ref back to Store is a cycle): deps init first.
    assert (
        "EVENTS ['init Audit', 'init Store', 'init Main', 'shutdown Main', 'shutdown Store', 'shutdown Audit']"
    ) in out


def test_config_file_sets_listener_and_bad_config_fails(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[weaver]\neager = true\n[weaver.listeners.api]\naddress = "127.0.0.1:0"\n')
    proc = start("--config", str(good))
    assert wait_for_address(proc).startswith("127.0.0.1:")
    proc.terminate()
    assert proc.wait(timeout=20) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[weaver.testing.testapp.store.Store]\ncapacity = "ten"\n')
    proc = start(env={"WEAVER_CONFIG": str(bad)})
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode != 0
    assert "config [weaver.testing.testapp.store.Store]: key 'capacity': Expected `int`, got `str`" in out
