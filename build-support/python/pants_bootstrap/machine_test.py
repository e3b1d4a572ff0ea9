from __future__ import annotations

from pathlib import Path

from pants_bootstrap.machine import detect, parse_pip_config

LISTING = """\
:env:.cert='/etc/ssl/certs/ca.crt'
:env:.default-timeout='180'
global.constraint='/etc/xdg/pip/constraints.txt'
global.find-links='/opt/wheels'
"""


def test_parse_pip_config_reads_files_and_env_entries() -> None:
    opts = parse_pip_config(LISTING)
    assert opts["constraint"] == "/etc/xdg/pip/constraints.txt"
    assert opts["cert"] == "/etc/ssl/certs/ca.crt"
    assert opts["find-links"] == "/opt/wheels"


def test_machine_with_constraint_and_ca_gets_both(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("cert")
    quirks = detect({"SSL_CERT_FILE": str(ca)}, {"constraint": "/etc/c.txt"})
    assert quirks.ca_bundle == str(ca)
    assert quirks.isolate_pip_config
    assert "/etc/c.txt" in quirks.reason


def test_plain_machine_needs_nothing() -> None:
    quirks = detect({}, {"timeout": "60"})
    assert quirks.ca_bundle is None
    assert not quirks.isolate_pip_config


def test_ca_from_pip_config_and_missing_files_are_skipped(tmp_path: Path) -> None:
    ca = tmp_path / "pip-ca.pem"
    ca.write_text("cert")
    quirks = detect({"PIP_CERT": str(tmp_path / "missing.pem")}, {"cert": str(ca)})
    assert quirks.ca_bundle == str(ca)


def test_constraint_from_environment_counts() -> None:
    assert detect({"PIP_CONSTRAINT": "/c.txt"}, {}).isolate_pip_config
