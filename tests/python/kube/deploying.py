"""Helpers of the tests that put apps on the node: free host ports, the `weaver kube` command, images."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from pathlib import Path

from kube.rig import SRC_ROOT, Cluster

EPHEMERAL_LOW = 32768  # Linux's default ip_local_port_range starts here (as on these machines)


def free_run(count: int, offsets: tuple[int, ...] = (0,)) -> int:
    """A port P such that P+o .. P+o+count-1 are free on 127.0.0.1 now, for every o in `offsets`
    (host-network pods bind them; a rollout moves a second version's ports by an offset)."""
    for _ in range(200):
        # Below the ephemeral range (32768-60999 here): the pods bind these long after they are
        # picked, and other tests' port-0 picks (made and released, then bound) come from there.
        base = random.randrange(20000, EPHEMERAL_LOW - count - max(offsets))
        socks = []
        try:
            for offset in offsets:
                for port in range(base + offset, base + offset + count):
                    s = socket.socket()
                    socks.append(s)
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports found")


def weaver(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m weaver kube ARGS`, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "weaver", "kube", *args], cwd=SRC_ROOT, capture_output=True, text=True,
        timeout=timeout, check=False, env=env,
    )  # fmt: skip


def image(node: Cluster, pex: Path, tmp: Path) -> str:
    """Write the version's image with `weaver kube image` and import it into the node; its name."""
    assert pex.is_file(), f"{pex}: missing"
    started = time.monotonic()
    tarball = tmp / f"{pex.stem}.tar"
    out = weaver("image", str(pex), "--out", str(tarball), timeout=300)
    assert out.returncode == 0, out.stderr
    name = out.stdout.strip().splitlines()[-1]
    node.import_image(tarball)
    tarball.unlink()
    print(f"image {name}: written and imported in {time.monotonic() - started:.1f} s")
    return name


def host_network_section(
    node: Cluster, groups: list[str], listener: str, ports: tuple[int, int, int], image: str = ""
) -> str:
    """The `[kube]` section for host-network pods on the local node, one replica of 100m per group.

    `ports`: the first rpc port, the first health port (group i adds i) and the listener's port;
    `image`: the base image (default: the section's default). The listener's table comes last.
    One replica per group: host-network pods of one group share their ports, so a second one on
    this one node would stay Pending ("didn't have free ports"). 100m of CPU each: the default
    250m times the shop's 11 groups is more than this 2-core node has ("Insufficient cpu").
    """
    rpc, health, port = ports
    image_line = f'image = "{image}"\n' if image else ""
    replicas = "".join(f'[kube.groups.{g}]\nreplicas = 1\ncpu = "100m"\n' for g in groups)
    return f"""[kube]
namespace = "default"
host_network = true
api_server = "{node.server.removeprefix("https://")}"
rpc_port = {rpc}
health_port = {health}
grace = 5
{image_line}{replicas}[kube.listeners.{listener}]
container_port = {port}
"""
