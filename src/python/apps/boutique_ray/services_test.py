"""The deployments cover every service of the other baselines, each deployed after those it calls."""

from __future__ import annotations

from apps.boutique.microservices import DEPENDENCIES, SERVICES
from apps.boutique_ray.services import CLASSES, MAX_ONGOING_REQUESTS, deployments


def test_every_service_is_deployed_after_its_dependencies() -> None:
    assert set(CLASSES) == set(SERVICES)
    order = list(CLASSES)
    for name in order:
        for dep in DEPENDENCIES.get(name, ()):
            assert order.index(dep) < order.index(name), f"{name} is deployed before {dep}, which it calls"


def test_deployments_are_pinned_to_one_replica_with_room_for_concurrency() -> None:
    for name, d in deployments().items():
        assert d.name == name
        assert d.num_replicas == 1
        assert d.max_ongoing_requests == MAX_ONGOING_REQUESTS
        assert (d.ray_actor_options or {}).get("num_cpus") == 0
