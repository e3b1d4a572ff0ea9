"""The rollout end-to-end rig: builds of hello, `weaver rollout` in a private state dir, load.

Shared by rollout_test.py and faults_test.py (fixtures `builds` and `weaver` in conftest.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from e2e.rollout_builds import SRC, build_hello
from e2e.rollout_load import Result, request
from weaver.rollout.deployer import MultiDeployer
from weaver.rollout.paths import AppPaths
from weaver.rollout.state import RolloutState, load

# Short times; a loose latency floor (other tests share the 2 cores; the gate is unit-tested and
# simulated in weaver/rollout/gate_sim_test.py).
FAST = ["--min-requests", "10", "--warmup-requests", "5", "--hold-timeout", "5s", "--drain-idle", "1s",
        "--start-timeout", "60s", "--stop-grace", "1s", "--latency-floor", "100ms",
        "--drain-timeout", "3s"]  # fmt: skip


class Build:
    def __init__(self, pex: Path, manifest: Path) -> None:
        self.pex, self.manifest = pex, manifest
        self.version = json.loads(manifest.read_text())["version"]


def make_builds(out: Path, replicas: int = 1) -> dict[str, Build]:
    """A ("Hello"), B ("Howdy") and Bad (every greeting fails), each group with `replicas` replicas."""
    variants = {"A": ("Hello", False), "B": ("Howdy", False), "Bad": ("Broken", True)}
    with ThreadPoolExecutor(3) as pool:
        futures = {
            k: pool.submit(build_hello, out, greeting, broken, replicas) for k, (greeting, broken) in variants.items()
        }
        return {k: Build(*f.result()) for k, f in futures.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Weaver:
    """Runs `weaver rollout ...` in a private state dir; stops everything at the end."""

    def __init__(self, state_dir: Path, app: str = "hello") -> None:
        self.env = {**os.environ, "WEAVER_STATE_DIR": str(state_dir), "PYTHONPATH": str(SRC)}
        self.address = f"127.0.0.1:{free_port()}"
        self.app = app
        self.paths = AppPaths(app, state_dir)
        self.controllers: list[subprocess.Popen[str]] = []

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "weaver", "rollout", *args]

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(*args), env=self.env, cwd=SRC, capture_output=True, text=True, timeout=timeout)

    def deploy_args(self, build: Build, *flags: str) -> list[str]:
        return ["deploy", "--pex", str(build.pex), "--manifest", str(build.manifest),
                "--listen", f"{self.app}={self.address}", *FAST, *flags]  # fmt: skip

    def deploy(self, build: Build, *flags: str) -> subprocess.CompletedProcess[str]:
        return self.run(*self.deploy_args(build, *flags))

    def start_deploy(self, build: Build, *flags: str) -> subprocess.Popen[str]:
        p = subprocess.Popen(self.argv(*self.deploy_args(build, *flags)), env=self.env, cwd=SRC, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        self.controllers.append(p)
        return p

    def state(self) -> RolloutState:
        s = load(self.paths.state)
        assert s is not None
        return s

    def wait_state(self, ok: object, timeout: float = 60) -> RolloutState:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = load(self.paths.state)
            if s is not None and ok(s):  # type: ignore[operator]
                return s
            time.sleep(0.1)
        raise AssertionError(f"state not reached within {timeout}s: {load(self.paths.state)}")

    def running(self, version: str) -> bool:
        status = MultiDeployer(self.paths.state_root).status(self.app, version)
        return status is not None and status.alive

    def close(self) -> None:
        for p in self.controllers:
            if p.poll() is None:
                p.kill()
            p.communicate(timeout=10)
        self.run("stop", self.app, "--grace", "1s", timeout=60)
        subprocess.run([sys.executable, "-m", "weaver", "multi", "stop", self.app, "--grace", "1"],
                       env=self.env, cwd=SRC, capture_output=True, timeout=60)  # fmt: skip


def first_deploy(weaver: Weaver, build: Build) -> None:
    done = weaver.deploy(build, "--steps", "100", "--duration", "1s")
    assert done.returncode == 0, done.stderr + done.stdout
    res, _ = request(weaver.address, None)
    assert res.ok and res.version == build.version, res


def failures(results: list[Result]) -> list[Result]:
    return [r for r in results if not r.ok]


