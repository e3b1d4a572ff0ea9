"""User-facing errors are `WeaverError`s (keeping their stdlib bases); library code raises them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import weaver
import weaver.testing
from weaver.codegen.errors import CodegenError
from weaver.codegen.fingerprint import StaleCodeError
from weaver.deployers.multi.logstore import FilterError
from weaver.internal.appload import load_app
from weaver.runtime.launch import LaunchError
from weaver.runtime.proclet_main import apply_gen_path

ROOT = str(Path(__file__).parents[1])


@pytest.mark.parametrize(
    ("error", "stdlib_base"),
    [
        (weaver.ConfigError, ValueError),
        (weaver.AppNotFoundError, ImportError),
        (weaver.DeadlineExceeded, TimeoutError),
        (StaleCodeError, RuntimeError),
        (FilterError, ValueError),
        (CodegenError, Exception),
        (LaunchError, Exception),
    ],
)
def test_rooted_under_weaver_error_with_stdlib_base(error: type[Exception], stdlib_base: type[Exception]) -> None:
    assert issubclass(error, weaver.WeaverError) and issubclass(error, stdlib_base)


def test_load_app_without_generated_code_raises_not_exits() -> None:
    with pytest.raises(weaver.AppNotFoundError, match=r"weaver\.codec\.weaver_gen not found: generate it"):
        load_app("weaver.codec")


async def test_testing_start_raises_the_library_error() -> None:
    with pytest.raises(weaver.AppNotFoundError, match="weaver_gen not found"):
        async with weaver.testing.start("weaver.codec"):
            pass


def test_bad_gen_path_entry_is_a_config_error() -> None:
    with pytest.raises(weaver.ConfigError, match="bad WEAVER_GEN_PATH entry 'nodir': want package=directory"):
        apply_gen_path("nodir")


def test_run_command_turns_the_error_into_a_message_and_status_1() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import weaver; weaver.run('weaver.codec')"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("weaver: weaver.codec.weaver_gen not found") and "Traceback" not in proc.stderr
