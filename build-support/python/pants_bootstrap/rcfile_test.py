from __future__ import annotations

import tomllib
from pathlib import Path

from pants_bootstrap.machine import MachineQuirks
from pants_bootstrap.pins import cache_key
from pants_bootstrap.rcfile import PexCli, header, render

PEX = PexCli(path="/cache/pex-2.1.137.pex", sha256="ab" * 32, size=123)


def test_quirky_machine_gets_ca_pip_isolation_and_test_env() -> None:
    quirks = MachineQuirks(ca_bundle="/etc/ca.crt", isolate_pip_config=True, reason="constraint=/c")
    text = render(quirks, PEX)
    assert text.splitlines()[0] == header()
    rc = tomllib.loads(text)
    assert rc["GLOBAL"]["ca_certs_path"] == "/etc/ca.crt"
    assert rc["subprocess-environment"]["env_vars"] == ["PIP_CONFIG_FILE=/dev/null"]
    assert rc["pex-cli"]["url_template"] == "file:///cache/pex-2.1.137.pex"
    assert f"v2.1.137|linux_x86_64|{'ab' * 32}|123" in rc["pex-cli"]["known_versions"]
    test_env = rc["test"]["extra_env_vars"]["add"]
    assert "PANTS_CA_CERTS_PATH=/etc/ca.crt" in test_env
    assert 'PANTS_SUBPROCESS_ENVIRONMENT_ENV_VARS=["PIP_CONFIG_FILE=/dev/null"]' in test_env


def test_plain_machine_gets_only_the_pex_cli() -> None:
    rc = tomllib.loads(render(MachineQuirks(None, False, ""), PEX))
    assert set(rc) == {"pex-cli", "test"}


def test_launcher_key_matches_pins() -> None:
    launcher = Path(__file__).resolve().parents[3] / "pants"
    if not launcher.exists():  # in the Pants sandbox the launcher comes as a file dependency
        launcher = Path("pants")
    assert f'key="{cache_key()}"' in launcher.read_text()
