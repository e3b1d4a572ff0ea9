from __future__ import annotations

from pathlib import Path

import pytest

from pants_bootstrap.interpreter import (
    OVERRIDE_VAR,
    NoInterpreterError,
    VersionProbe,
    find_python,
    pyenv_candidates,
)


def _fake_python(folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return str(exe)


def _probe(versions: dict[str, tuple[int, int] | None]) -> VersionProbe:
    return lambda exe: versions.get(exe)


def test_override_wins_when_it_is_39(tmp_path: Path) -> None:
    env = {OVERRIDE_VAR: "/opt/py39/bin/python", "PATH": ""}
    assert find_python(env, tmp_path, _probe({"/opt/py39/bin/python": (3, 9)})) == "/opt/py39/bin/python"


def test_override_of_wrong_version_is_an_error_naming_it(tmp_path: Path) -> None:
    env = {OVERRIDE_VAR: "/usr/bin/python3", "PATH": ""}
    with pytest.raises(NoInterpreterError, match=r"WEAVER_PANTS_PYTHON=/usr/bin/python3 is Python 3\.11"):
        find_python(env, tmp_path, _probe({"/usr/bin/python3": (3, 11)}))


def test_path_python39_that_runs_is_used(tmp_path: Path) -> None:
    exe = _fake_python(tmp_path / "bin", "python3.9")
    env = {"PATH": str(tmp_path / "bin"), "PYENV_ROOT": str(tmp_path / "nope")}
    assert find_python(env, tmp_path, _probe({exe: (3, 9)})) == exe


def test_shim_that_refuses_to_run_falls_through_to_pyenv_newest(tmp_path: Path) -> None:
    shim = _fake_python(tmp_path / "shims", "python3.9")
    root = tmp_path / "pyenv"
    old = _fake_python(root / "versions" / "3.9.2" / "bin", "python3.9")
    new = _fake_python(root / "versions" / "3.9.18" / "bin", "python3.9")
    _fake_python(root / "versions" / "3.11.7" / "bin", "python3.11")
    env = {"PATH": str(tmp_path / "shims"), "PYENV_ROOT": str(root)}
    assert pyenv_candidates(env, tmp_path) == [new, old]
    assert find_python(env, tmp_path, _probe({shim: None, old: (3, 9), new: (3, 9)})) == new


def test_nothing_found_says_how_to_get_39(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path / "none")}
    with pytest.raises(NoInterpreterError) as err:
        find_python(env, tmp_path, _probe({}))
    assert "pyenv install 3.9" in str(err.value)
    assert OVERRIDE_VAR in str(err.value)
