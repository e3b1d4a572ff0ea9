"""The bench's split config is fair: weaver's tracing and access log are off unless it says."""

from __future__ import annotations

import tomllib

from apps.boutique_bench.configs import fair, split_config


def test_the_split_variant_runs_without_tracing_or_weavers_access_log() -> None:
    cfg = tomllib.loads(split_config("127.0.0.1:1234", redis="127.0.0.1:6379"))
    assert cfg["weaver"]["access_log"] is False and cfg["weaver"]["tracing"] == {"enabled": False}
    assert cfg["weaver"]["listeners"]["boutique"]["address"] == "127.0.0.1:1234"
    assert cfg["apps"]["boutique"]["cartstore"]["CartStore"]["redis"] == "127.0.0.1:6379"


def test_settings_the_config_makes_are_kept() -> None:
    text = '[weaver]\nname = "b"\naccess_log = true\n\n[weaver.tracing]\nenabled = true\nsample_ratio = 0.5\n'
    assert tomllib.loads(fair(text)) == tomllib.loads(text)
