"""Fuzz target: the TOML config loader. Any text or bytes give a dict or a ConfigError naming
the file and a line of it, never another exception; written-out configs read back equal."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from weaver import config as configmod
from weaver.config import ConfigError
from weaver.testing.multimode import _toml

_LINE = re.compile(r"\bline (\d+)\b")

# Fragments of TOML, so that the text is often almost valid and reaches deep into the parser.
_PIECES = [
    "[weaver]\n", "[weaver.listeners.hello]\n", 'address = "127.0.0.1:8080"\n', "[[a.b]]\n", "a = ", "b.c = ",
    "1", "-0x1F", "1e400", "nan", "true", "1979-05-27T07:32:00Z", "07:32:00", '"s"', "'''x'''", '"""y\n"""',
    "[", "]", "{", "}", ",", "=", ".", "\n", "\r\n", "#c\n", " ", '"\\u0000"', '"\\ud800"', "\x00", "\x7f",
]
_texts = st.text(max_size=200) | st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _assert_names_a_line(error: ConfigError, where: str, text: str) -> None:
    message = str(error)
    assert message.startswith(f"{where}: "), message
    found = _LINE.search(message)
    assert found is not None, message
    assert 1 <= int(found.group(1)) <= text.count("\n") + 1, message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
@example("a = [" * 2000)  # recursion in tomllib: found by this target
@example("a = {b = " * 2000)
@example("a = " + "1" * 5000)  # int() refuses over 4300 digits: found by this target
@example("[a\n")  # an error "at end of document": now also names its line
def test_fuzz_parse_text(text: str) -> None:
    try:
        parsed = configmod.parse(text, "fuzz.toml")
    except ConfigError as e:
        _assert_names_a_line(e, "fuzz.toml", text)
        return
    assert isinstance(parsed, dict)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | _texts.map(lambda t: t.encode("utf-8", "surrogatepass")))
@example(b'a = "\xff"\n')  # not UTF-8: was a UnicodeDecodeError, found by this target
@example(b"a = 1\n\n\xc3")
def test_fuzz_load_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_bytes(data)
        try:
            parsed = configmod.load(str(path))
        except ConfigError as e:
            _assert_names_a_line(e, str(path), data.decode("utf-8", "replace"))
            return
    assert isinstance(parsed, dict)


_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True) | st.text(max_size=6)
_scalars = st.integers(-(2**63), 2**63 - 1) | st.booleans() | st.text(max_size=10)
_values: st.SearchStrategy[Any] = _scalars | st.lists(_scalars, max_size=3)
_configs = st.dictionaries(
    _keys, st.dictionaries(_keys, _values | st.dictionaries(_keys, _values, max_size=3), max_size=4), max_size=4
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_configs)
def test_fuzz_written_config_reads_back(config: dict[str, Any]) -> None:
    """`weaver.testing`'s writer (how multi-mode tests hand a config to replicas) round-trips."""
    assert configmod.parse(_toml(config), "written.toml") == config
