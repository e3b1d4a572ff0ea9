"""The Ray baseline as one child process (`apps.boutique_ray.launch`) for tests and the bench.

The launcher owns the Ray cluster: its processes are the launcher's descendants, in the session
`start` creates for it. `stop` asks the launcher to shut Ray down, waits, and kills what is left
of that session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from apps.boutique.logic.rand import SEED_ENV
from apps.boutique.microservices import HOST, REDIS_ENV
from apps.boutique_bench.variants import http_ok

START_TIMEOUT = 240.0
"""Ray started in 40-75 s on these 2-core machines; deploying ten services adds more."""
STOP_TIMEOUT = 60.0
POLL_S = 0.2


class RayCluster:
    """The launcher on `port`; `start` waits until the frontend answers, `stop` ends everything."""

    def __init__(self, port: int, seed: str | None = None, redis: str | None = None) -> None:
        self.port = port
        self.seed = seed
        self.redis = redis
        """host:port of the Redis the cart store uses (None: in memory)."""
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the launcher and wait until the frontend is healthy (or stop it and raise)."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in sys.path if p and Path(p).is_dir()))
        if self.redis is not None:
            env[REDIS_ENV] = self.redis
        env.pop(SEED_ENV, None)
        argv = [sys.executable, "-m", "apps.boutique_ray.launch", "--port", str(self.port)]
        if self.seed is not None:
            argv += ["--seed", self.seed]
        self.proc = subprocess.Popen(argv, env=env, start_new_session=True)
        try:
            self._wait_healthy(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, deadline: float) -> None:
        assert self.proc is not None
        while not http_ok(f"{self.url}/_healthz"):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Ray launcher exited with code {self.proc.returncode} before serving")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Ray baseline's frontend {self.url} was not healthy in time")
            time.sleep(POLL_S)

    def pids(self) -> list[int]:
        """The launcher's pid if it runs (its descendants are the cluster)."""
        return [self.proc.pid] if self.proc is not None and self.proc.poll() is None else []

    def stop(self) -> None:
        """SIGTERM the launcher (it shuts Ray down), wait, then SIGKILL its session (idempotent)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        try:  # whatever of Ray outlived its owner, in the session created for it
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
