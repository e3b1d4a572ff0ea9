"""Warm-up paths and the listeners they target."""

from __future__ import annotations

import pytest

from weaver.rollout.paths import RolloutError
from weaver.rollout.warmup import parse_paths, targets


def test_warmup_paths() -> None:
    assert parse_paths(["/", "web=/cart?x=1", "/a?b=c"]) == [(None, "/"), ("web", "/cart?x=1"), (None, "/a?b=c")]
    assert [t.address for t in targets(["/"], {"web": "127.0.0.1:1"})] == ["127.0.0.1:1"]
    with pytest.raises(RolloutError, match="--warmup-path 'cart': expected"):
        parse_paths(["cart"])
    with pytest.raises(RolloutError, match="has listeners api, web; write NAME=/"):
        targets(["/"], {"web": "127.0.0.1:1", "api": "127.0.0.1:2"})
    with pytest.raises(RolloutError, match="no listener 'api'"):
        targets(["api=/"], {"web": "127.0.0.1:1"})
