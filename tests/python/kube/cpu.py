"""CPU time spent serving shoppers: a node's containers (their cgroup) or a process tree (/proc).

For the boutique's CPU per page on the cluster next to `weaver multi` on the same machine: the
same sequential shopper visits (e2e.shoppers.VISIT) against each, their CPU read before and after.
"""

from __future__ import annotations

from pathlib import Path

from apps.boutique_bench.procstat import cpu_seconds, descendants
from e2e.shoppers import VISIT, Shopper

CONTAINERS = Path("/sys/fs/cgroup/cpuacct/k8s.io/cpuacct.usage")
"""Every container containerd's k8s.io namespace runs (cgroup v1, the node's cgroupfs driver)."""


def containers_cpu_s() -> float:
    """CPU seconds of every container on the node so far."""
    return int(CONTAINERS.read_text()) / 1e9


def tree_cpu_s(roots: list[int]) -> float:
    """CPU seconds of the live processes `roots` and their descendants."""
    pids = set(roots)
    for root in roots:
        pids.update(descendants(root))
    return sum(cpu_seconds(pids).values())


def browse(address: str, visits: int) -> int:
    """`visits` shoppers one after the other, each through VISIT; returns the pages, all ok."""
    pages = 0
    for i in range(visits):
        shopper = Shopper(address, f"cpu{i}")
        for method, path, form in VISIT:
            page = shopper.go(method, path, form)
            assert page.ok, page
            pages += 1
    return pages
