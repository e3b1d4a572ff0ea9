"""The three deployments of the shop the bench compares, behind one small interface.

Each variant starts its processes on 127.0.0.1, waits until the frontend answers, lists its
processes (the app's own, and the deployer's control plane), and stops everything it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from apps.boutique_bench import procstat
from apps.boutique_bench.configs import colocated_config, split_config

HOST = "127.0.0.1"
STOP_TIMEOUT = 15.0


def free_ports(n: int) -> list[int]:
    """`n` distinct ports free on 127.0.0.1 right now."""
    socks: list[socket.socket] = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def http_ok(url: str, timeout: float = 0.5) -> bool:
    """True if GET `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return bool(r.status == 200)
    except OSError:
        return False


class Variant(ABC):
    """One deployment of the shop."""

    name = ""
    label = ""

    def __init__(self) -> None:
        self.url = ""
        self.redis: str | None = None
        """host:port of the Redis holding the carts (None: each variant's own memory)."""

    @abstractmethod
    def start(self, timeout: float) -> None:
        """Start every process and return once the frontend is healthy (else stop and raise)."""

    @abstractmethod
    def processes(self) -> tuple[list[int], list[int]]:
        """(the app's processes, the deployer's control-plane processes), live pids."""

    @abstractmethod
    def stop(self) -> None:
        """Stop everything this variant started (idempotent)."""

    def _wait_http(self, deadline: float, alive: subprocess.Popen[bytes] | None) -> None:
        for _ in range(100_000):
            if http_ok(f"{self.url}/_healthz"):
                return
            if alive is not None and alive.poll() is not None:
                raise RuntimeError(f"{self.name}: process exited with code {alive.returncode} before serving")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: {self.url}/_healthz not healthy in time")
            time.sleep(0.1)


@contextmanager
def children_output_to(path: str) -> Iterator[None]:
    """Point fds 1 and 2 at `path` while children are spawned (they inherit them), then back."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, *saved):
            os.close(f)


class GrpcVariant(Variant):
    """The gRPC baseline: 10 service processes and the frontend (`apps.boutique_grpc.launch`)."""

    name = "grpc"
    label = "gRPC baseline (11 processes)"

    def __init__(self, seed: str | None = None) -> None:
        super().__init__()
        self.seed = seed
        self.cluster: object | None = None
        self.tmp = ""

    def make_cluster(self, ports: dict[str, int]) -> Any:
        from apps.boutique_grpc.launch import Cluster

        return Cluster(ports, seed=self.seed, redis=self.redis)

    def start(self, timeout: float) -> None:
        from apps.boutique.microservices import FRONTEND, SERVICES

        ports = dict(zip((FRONTEND, *SERVICES), free_ports(1 + len(SERVICES)), strict=True))
        cluster = self.make_cluster(ports)
        self.cluster = cluster
        self.tmp = tempfile.mkdtemp(prefix=f"boutique-bench-{self.name}-")
        try:
            with children_output_to(os.path.join(self.tmp, "output.log")):
                cluster.start(timeout=timeout)  # stops what it started if it fails
        except Exception as e:
            tail = Path(self.tmp, "output.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"{self.label} did not start: {e}\n{tail}") from e
        self.url = cluster.url

    def processes(self) -> tuple[list[int], list[int]]:
        from apps.boutique_grpc.launch import Cluster

        if not isinstance(self.cluster, Cluster):
            return [], []
        roots = [p.pid for p in self.cluster.procs.values() if p.poll() is None]
        return sorted({*roots, *(d for r in roots for d in procstat.descendants(r))}), []

    def stop(self) -> None:
        from apps.boutique_grpc.launch import Cluster

        if isinstance(self.cluster, Cluster):
            self.cluster.stop()
        self.cluster = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = ""


class HttpVariant(GrpcVariant):
    """HTTP/JSON microservices: 10 FastAPI services on uvicorn, httpx between them, the frontend
    (`apps.boutique_http.launch`)."""

    name = "http"
    label = "FastAPI+httpx baseline (11 processes)"

    def make_cluster(self, ports: dict[str, int]) -> Any:
        from apps.boutique_http.launch import HttpCluster

        return HttpCluster(ports, seed=self.seed, redis=self.redis)


class RayVariant(Variant):
    """Ray Serve: 10 deployments (one replica each) called through handles, the frontend in the
    driver, on a local Ray cluster (`apps.boutique_ray.launch`). Not in the default set: Ray
    starts in about a minute here (`--variants ray,...`)."""

    name = "ray"
    label = "Ray Serve baseline (10 replicas + driver)"
    CONTROL = ("gcs_server", "raylet", "ray::ServeController", "ray::DashboardAgent", "ray::RuntimeEnvAgent",
               "ray::IDLE", "dashboard.py", "monitor.py", "log_monitor.py")  # fmt: skip
    """Command-line markers of Ray's own processes (its control plane); the rest run the shop."""

    def __init__(self, seed: str | None = None) -> None:
        super().__init__()
        self.seed = seed
        self.cluster: Any = None
        self.tmp = ""

    def start(self, timeout: float) -> None:
        from apps.boutique_ray.cluster import START_TIMEOUT, RayCluster

        (port,) = free_ports(1)
        self.cluster = RayCluster(port, seed=self.seed, redis=self.redis)
        self.tmp = tempfile.mkdtemp(prefix="boutique-bench-ray-")
        try:
            with children_output_to(os.path.join(self.tmp, "output.log")):
                self.cluster.start(timeout=max(timeout, START_TIMEOUT))  # stops what it started if it fails
        except Exception as e:
            tail = Path(self.tmp, "output.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"{self.label} did not start: {e}\n{tail}") from e
        self.url = self.cluster.url

    def processes(self) -> tuple[list[int], list[int]]:
        if self.cluster is None:
            return [], []
        roots = self.cluster.pids()
        pids = sorted({*roots, *(d for r in roots for d in procstat.descendants(r))})
        ctl = [p for p in pids if any(m in _cmdline(p) for m in self.CONTROL)]
        return [p for p in pids if p not in ctl], ctl

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
        self.cluster = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = ""


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class _SessionVariant(Variant):
    """A variant run as one child process in a session of its own (stopped as a group)."""

    def __init__(self) -> None:
        super().__init__()
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp = ""
        self._known: list[tuple[int, int]] = []  # (pid, start ticks) of every process seen

    def _spawn(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(os.path.join(self.tmp, "output.log"), "wb")  # noqa: SIM115 - closed below
        try:
            self.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        return self.proc

    def _launch(self, argv: list[str], env: dict[str, str], timeout: float) -> None:
        """Start the child and wait until the frontend answers; on failure stop it and raise
        with the end of its output."""
        try:
            proc = self._spawn(argv, env)
            self._wait_http(time.monotonic() + timeout, proc)
        except BaseException as e:
            tail = self.output_tail()
            self.stop()
            if isinstance(e, Exception):
                raise RuntimeError(f"{self.label} did not start: {e}\n{tail}") from e
            raise

    def output_tail(self, n: int = 3000) -> str:
        """The end of the child's combined output (for error messages)."""
        try:
            return Path(self.tmp, "output.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def _remember(self, pids: list[int]) -> None:
        for pid in pids:
            st = procstat.read_stat(pid)
            if st is not None and (pid, st.start_ticks) not in self._known:
                self._known.append((pid, st.start_ticks))

    def _all_pids(self) -> list[int]:
        if self.proc is None or self.proc.poll() is not None:
            return []
        pids = [self.proc.pid, *procstat.descendants(self.proc.pid)]
        self._remember(pids)
        return pids

    def stop(self) -> None:
        """SIGTERM the root (and its group), wait, then SIGKILL anything of ours still alive."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                self._remember([proc.pid, *procstat.descendants(proc.pid)])
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _killpg(proc.pid)
                proc.kill()
                proc.wait()
        for pid, ticks in self._known:  # e.g. proclets in sessions of their own, if orphaned
            st = procstat.read_stat(pid)
            if st is not None and st.start_ticks == ticks:
                _kill(pid)
        self._known.clear()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = ""


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment, with our import path and the generated code's location for the child."""
    from weaver.internal import envvars
    from weaver.runtime.launch import generated_path

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in sys.path if p and os.path.isdir(p)))
    gen = generated_path()
    if gen:
        env[envvars.GEN_PATH] = gen
    env.update(extra)
    return env


class ColocatedVariant(_SessionVariant):
    """weaver, all 11 components in one process (`weaver.run`, every call a plain await)."""

    name = "colocated"
    label = "weaver colocated (1 process)"

    def start(self, timeout: float) -> None:
        self.tmp = tempfile.mkdtemp(prefix="boutique-bench-colocated-")
        (port,) = free_ports(1)
        cfg = os.path.join(self.tmp, "colocated.toml")
        Path(cfg).write_text(colocated_config(f"{HOST}:{port}", self.redis))
        self.url = f"http://{HOST}:{port}"
        argv = [sys.executable, "-m", "apps.boutique_bench.colocated", "--config", cfg]
        self._launch(argv, _child_env({}), timeout)

    def processes(self) -> tuple[list[int], list[int]]:
        return self._all_pids(), []


class SplitVariant(_SessionVariant):
    """weaver, one component per process: the multiprocess deployer's manager and 11 proclets."""

    name = "split"
    label = "weaver split (11 processes)"

    def start(self, timeout: float) -> None:
        self.tmp = tempfile.mkdtemp(prefix="boutique-bench-split-")
        (port,) = free_ports(1)
        cfg = os.path.join(self.tmp, "split.toml")
        Path(cfg).write_text(split_config(f"{HOST}:{port}", self.redis))
        self.url = f"http://{HOST}:{port}"
        status = os.path.join(self.tmp, "state")
        argv = [
            sys.executable,
            "-m",
            "apps.boutique_bench.splitrun",
            "--config",
            cfg,
            "--listener",
            f"boutique={HOST}:{port}",
            "--state-dir",
            status,
        ]
        self._launch(argv, _child_env({"WEAVER_STATE_DIR": status}), timeout)

    def processes(self) -> tuple[list[int], list[int]]:
        pids = self._all_pids()
        if not pids:
            return [], []
        return pids[1:], pids[:1]  # the proclets; the manager (balancing proxy, envelopes)


VARIANTS: dict[str, type[Variant]] = {
    "grpc": GrpcVariant,
    "http": HttpVariant,
    "split": SplitVariant,
    "colocated": ColocatedVariant,
    "ray": RayVariant,
}
