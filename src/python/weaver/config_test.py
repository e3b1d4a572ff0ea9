"""Config sections: nested or quoted keys, validation errors naming section and key."""

from __future__ import annotations

import msgspec
import pytest

from weaver import config
from weaver.config import ConfigError


class Cfg(msgspec.Struct):
    greeting: str = "Hello"
    retries: int = 3


def test_nested_and_quoted_sections() -> None:
    nested = config.parse('[apps.x.Greeter]\ngreeting = "Hi"\n')
    quoted = config.parse('["apps.x.Greeter"]\ngreeting = "Hi"\n')
    for parsed in (nested, quoted):
        assert config.decode(parsed, "apps.x.Greeter", Cfg) == Cfg("Hi", 3)


def test_absent_section_gives_defaults() -> None:
    assert config.decode({}, "apps.x.Greeter", Cfg) == Cfg()


def test_errors_name_section_and_key() -> None:
    with pytest.raises(ConfigError, match=r"config \[apps.x.Greeter\]: key 'retries': Expected `int`, got `str`"):
        config.decode(config.parse('[apps.x.Greeter]\nretries = "3"\n'), "apps.x.Greeter", Cfg)
    unknown = r"config \[apps.x.Greeter\]: unknown key 'greting' \(known keys: greeting, retries\)"
    with pytest.raises(ConfigError, match=unknown):
        config.decode(config.parse('[apps.x.Greeter]\ngreting = "x"\n'), "apps.x.Greeter", Cfg)
    with pytest.raises(ConfigError, match=r"config \[apps.x.Greeter\] must be a table"):
        config.decode({"apps.x.Greeter": 3}, "apps.x.Greeter", Cfg)


def test_weaver_section() -> None:
    parsed = config.parse('[weaver]\neager = true\n[weaver.listeners.web]\naddress = "0.0.0.0:80"\n')
    assert config.options(parsed).eager is True
    assert config.listener_address(parsed, "web") == "0.0.0.0:80"
    assert config.listener_address(parsed, "other") == "127.0.0.1:0"
    with pytest.raises(ConfigError, match=r"config \[weaver\]: key 'eager': Expected `bool`"):
        config.options({"weaver": {"eager": "yes"}})


def test_load_reports_file_problems(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="cannot read config /nonexistent.toml"):
        config.load("/nonexistent.toml")
    with pytest.raises(ConfigError, match="<t>: "):
        config.parse("[[[", "<t>")
