"""The deploy configs of deploy/boutique/ name real components and start the app."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

weaver_testing = pytest.importorskip("weaver.testing")

from weaver.internal import registry  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parents[4] / "deploy" / "boutique"
CONFIGS = ["colocated.toml", "split.toml", "default.toml"]


@pytest.mark.parametrize("name", CONFIGS)
async def test_config(name: str) -> None:
    path = CONFIG_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout (sandboxed run)")
    text = path.read_text()
    parsed = tomllib.loads(text)
    async with weaver_testing.start("apps.boutique", config=text.replace(":12000", ":0")) as app:
        known = set(registry.for_app("apps.boutique"))
        grouped = [c for group in parsed["weaver"]["colocate"] for c in group]
        assert set(grouped) <= known and len(grouped) == len(set(grouped))
        await app.start_main()
        assert app.listener("boutique").port > 0
