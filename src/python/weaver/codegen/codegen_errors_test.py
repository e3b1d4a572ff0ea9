"""Every bad input under testdata/ produces the errors its `# ERROR:` comments say."""

from __future__ import annotations

import glob
import os

import pytest

from weaver.codegen.errors import CodegenError
from weaver.codegen.generate import generate

HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(os.path.dirname(HERE))
CASES = sorted(
    p
    for p in glob.glob(os.path.join(HERE, "testdata", "**", "*.py"), recursive=True)
    if "# ERROR:" in open(p, encoding="utf-8").read()
)


def expected_errors(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line.split("# ERROR:", 1)[1].strip() for line in f if line.startswith("# ERROR:")]


def test_there_are_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=[os.path.relpath(p, HERE) for p in CASES])
def test_bad_input(path: str) -> None:
    with pytest.raises(CodegenError) as info:
        generate([path], [ROOT])
    got = [f"{os.path.basename(p.path)}:{p.line}: {p.message}" for p in info.value.problems]
    report = "\n".join(got)
    for want in expected_errors(path):
        assert any(want in g for g in got) or want in report, f"missing error {want!r}; got:\n{report}"
