"""The bench's command line: Ray Serve runs only when named (it starts in about a minute)."""

from __future__ import annotations

import pytest

from apps.boutique_bench.__main__ import _parser, settings
from apps.boutique_bench.variants import VARIANTS


def test_ray_is_a_variant_run_only_when_named() -> None:
    assert "ray" in VARIANTS
    assert "ray" not in settings(_parser().parse_args([])).variants
    assert "ray" not in settings(_parser().parse_args(["--quick"])).variants
    named = settings(_parser().parse_args(["--variants", "split,colocated,ray"]))
    assert named.variants == ["split", "colocated", "ray"]


def test_an_unknown_variant_is_named_in_the_error() -> None:
    with pytest.raises(SystemExit, match="unknown variant.*'rey'"):
        settings(_parser().parse_args(["--variants", "rey"]))
