"""Placement into colocation groups, replica counts, and config errors that name the entry."""

from __future__ import annotations

import pytest

from weaver.config import ConfigError, parse
from weaver.runtime.describe import AppInfo, ComponentInfo
from weaver.runtime.groups import plan

INFO = AppInfo(
    app="hello",
    version="v",
    main_package="apps.hello",
    components={
        "weaver.Main": ComponentInfo(["apps.hello.greeter.Greeter"], ["hello"]),
        "apps.hello.greeter.Greeter": ComponentInfo(["apps.hello.counter.Counter"], []),
        "apps.hello.counter.Counter": ComponentInfo([], []),
    },
)


def test_one_group_per_component_by_default_with_two_replicas() -> None:
    groups = plan(INFO, {})
    assert [(g.name, g.replicas, g.listeners) for g in groups] == [
        ("Counter", 2, []),
        ("Greeter", 2, []),
        ("Main", 2, ["hello"]),
    ]


def test_colocate_and_replica_overrides() -> None:
    config = parse("""
[weaver]
colocate = [["apps.hello.greeter.Greeter", "apps.hello.counter.Counter"]]
[multi]
replicas = 3
group_replicas = {"weaver.Main" = 1}
""")
    groups = plan(INFO, config)
    assert [(g.name, g.components, g.replicas) for g in groups] == [
        ("Counter+Greeter", ["apps.hello.counter.Counter", "apps.hello.greeter.Greeter"], 3),
        ("Main", ["weaver.Main"], 1),
    ]
    assert [g.replicas for g in plan(INFO, config, replicas=1)] == [1, 1]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[weaver]\ncolocate = [["apps.hello.Nope"]]', r"colocate\[0\]: unknown component 'apps.hello.Nope'"),
        ('[weaver]\ncolocate = [["weaver.Main"], ["weaver.Main"]]', r"colocate\[1\]: 'weaver.Main' is already in"),
        ('[weaver]\ncolocate = ["weaver.Main"]', "colocate must be a list of lists"),
        ("[multi]\nreplicas = 0", r"\[multi\]: replicas = 0 is out of range"),
        ('[multi]\nreplicas = "two"', r"\[multi\]: key 'replicas'"),
        ("[multi]\nreplica = 2", r"\[multi\]: unknown key 'replica'"),
        ('[multi]\ngroup_replicas = {"x.Y" = 2}', "group_replicas: unknown component 'x.Y'"),
    ],
)
def test_bad_config_is_named(text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        plan(INFO, parse(text))
