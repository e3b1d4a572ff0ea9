"""OpenTelemetry is loaded only when tracing turns on; without it, tracing falls back or fails clearly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from weaver.config import ConfigError, TracingOptions
from weaver.internal import envvars
from weaver.tracing import state


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with this test's import path."""
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **env}
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)


def test_the_cli_the_runtime_and_tracing_off_never_import_opentelemetry() -> None:
    code = (
        "import sys, weaver, weaver.cli, weaver.codegen, weaver.runtime.host, weaver.runtime.proclet, "
        "weaver.listener, weaver.tracing\n"
        "from weaver.config import TracingOptions\n"
        "weaver.tracing.configure(TracingOptions(), 'p')\n"
        "assert weaver.tracing.wrap_asgi(print, 'l') is print\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('opentelemetry'))\n"
        "assert not loaded, loaded\n"
        "weaver.tracing.configure(TracingOptions(enabled=True), 'p')\n"
        "assert 'opentelemetry.sdk.trace' in sys.modules\n"
    )
    proc = run(code)
    assert proc.returncode == 0, proc.stderr


BLOCK = "import sys\nsys.modules['opentelemetry'] = None  # as if the package were not installed\n"


def test_without_opentelemetry_the_default_stays_off_with_a_message() -> None:
    code = BLOCK + (
        "from weaver.config import TracingOptions\nimport weaver.tracing\n"
        "weaver.tracing.configure(TracingOptions(), 'cart-1')\n"
        "assert weaver.tracing.tracer() is None\n"
    )
    proc = run(code, **{envvars.PROCLET: "1"})
    assert proc.returncode == 0, proc.stderr
    assert "tracing off in cart-1: OpenTelemetry is not installed" in proc.stderr


def test_without_opentelemetry_enabled_true_names_the_key_and_package() -> None:
    code = BLOCK + (
        "from weaver.config import TracingOptions, ConfigError\nimport weaver.tracing\n"
        "try:\n    weaver.tracing.configure(TracingOptions(enabled=True), 'p')\n"
        "except ConfigError as e:\n    print(e)\nelse:\n    raise SystemExit('no error')\n"
    )
    proc = run(code)
    assert proc.returncode == 0, proc.stderr
    assert "config [weaver.tracing]: enabled = true" in proc.stdout and "opentelemetry-sdk" in proc.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (TracingOptions(sample_ratio=2.0), "sample_ratio must be in [0, 1], got 2.0"),
        (TracingOptions(keep_traces=0), "keep_traces must be >= 1, got 0"),
        (TracingOptions(otlp_endpoint="localhost:4318"), "otlp_endpoint must be an http(s) URL"),
    ],
)
def test_bad_values_name_the_section_and_key(options: TracingOptions, message: str) -> None:
    with pytest.raises(ConfigError, match=r"config \[weaver.tracing\]: ") as e:
        state.check(options)
    assert message in str(e.value)
