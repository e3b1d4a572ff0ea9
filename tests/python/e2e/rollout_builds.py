"""Builds of the hello app for the rollout tests: real PEXes with a manifest, made in ~2 s.

Each build is the hello source tree plus generated code and a `weaver_app_info` module, packed
by the `pex` tool with its third-party requirements taken from the test's virtualenv
(`--venv-repository`: nothing is downloaded). Like a Pants-built PEX it is hermetic: code on
the caller's PYTHONPATH cannot shadow the build's. Variants differ in their embedded config (the
greeting) or their code (`broken`: Greeter.greet raises), so each has its own sha256 (version).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from weaver.internal.pexinfo import pex_sha256

SRC = Path(__file__).resolve().parents[3] / "src" / "python"
PEX_TOOL = [sys.executable, "-m", "pex"]
IMAGE_PYTHON = "/usr/bin/python3.11"
"""The interpreter the Kubernetes base image copies (weaver.deployers.kube.baseimage)."""
REQUIREMENTS = ["msgspec", "httptools", "uvloop", "uvicorn"]
TRACING = ["opentelemetry-api", "opentelemetry-sdk"]
"""What a build needs for its replicas to trace (without it they say so and run untraced)."""
TRACING_FLAGS = ["--pre"]
"""The SDK pins opentelemetry-semantic-conventions to a beta (0.66b2), which pex takes only so."""

CONFIG = """[weaver]
name = "hello"

[weaver.listeners.hello]
address = "127.0.0.1:8080"

[multi]
replicas = {replicas}
health_interval = 0.5

[apps.hello.greeter.Greeter]
greeting = "{greeting}"
"""

BROKEN = (
    "        text = await self.preview(name)\n",  # the first line of GreeterImpl.greet
    '        raise RuntimeError("broken build")\n',
)


def build_hello(
    out: Path, greeting: str, broken: bool = False, replicas: int = 1, traced: bool = False
) -> tuple[Path, Path]:
    """Build hello into `out`/<greeting>.pex and its manifest (`traced`: with OpenTelemetry);
    returns (pex, manifest)."""

    def edit(stage: Path) -> None:
        if broken:
            greeter = stage / "apps" / "hello" / "greeter.py"
            text = greeter.read_text()
            assert BROKEN[0] in text, f"{greeter} changed: update BROKEN"
            greeter.write_text(text.replace(*BROKEN))

    config = CONFIG.format(greeting=greeting, replicas=replicas)
    if traced:
        return build_app(out, greeting, "hello", config, REQUIREMENTS + TRACING, edit, TRACING_FLAGS)
    return build_app(out, greeting, "hello", config, REQUIREMENTS, edit)


def build_app(
    out: Path,
    name: str,
    app: str,
    config: str,
    requirements: list[str],
    edit: Callable[[Path], None] | None = None,
    flags: list[str] | None = None,
    repository: Path | None = None,
) -> tuple[Path, Path]:
    """Build `apps.<app>` with `config` embedded into `out`/<name>.pex and its manifest.

    With `repository` (a Pants-built PEX holding the requirements for every Python the lockfile
    allows), the build runs on this interpreter and on IMAGE_PYTHON: the Kubernetes base image's
    Debian Python 3.11.2 needs what this one does not (redis wants async-timeout before 3.11.3).
    """
    stage = out / f"stage-{name}"
    shutil.copytree(SRC / "weaver", stage / "weaver", ignore=shutil.ignore_patterns("__pycache__", "*_test.py"))
    shutil.copytree(SRC / "apps" / app, stage / "apps" / app, ignore=shutil.ignore_patterns("__pycache__", "*_test.py"))
    shutil.copy(SRC / "apps" / "__init__.py", stage / "apps" / "__init__.py")
    if edit is not None:
        edit(stage)
    sources = [str(p) for p in sorted((stage / "apps" / app).glob("*.py"))]
    placement = out / f"{name}.weaver.toml"  # the manifest's groups and replicas, as `pants package` gives them
    placement.write_text(config)
    subprocess.run([sys.executable, "-m", "weaver", "generate", "--root", str(stage), *sources], check=True, cwd=SRC)
    described = subprocess.run(
        [sys.executable, "-m", "weaver", "describe", "--root", str(stage), "--config", str(placement),
         *sources],
        check=True, capture_output=True, text=True, cwd=SRC,
    )  # fmt: skip
    (stage / "weaver_app_info.py").write_text(
        f"APP_NAME = {app!r}\nMAIN_PACKAGE = 'apps.{app}'\nCONFIG_TOML = {config!r}\n"
    )
    pex = out / f"{name}.pex"
    venv = sys.prefix  # the virtualenv running the tests
    source = ["--venv-repository", venv]
    if repository is not None:
        source = ["--pex-repository", str(repository), "--python", sys.executable, "--python", IMAGE_PYTHON]
    subprocess.run(
        [*PEX_TOOL, "-D", str(stage), *source, *(flags or []), *requirements,
         f"--python-shebang={sys.executable}", "-e", "weaver.app_main:main", "--no-compile", "-o", str(pex)],
        check=True, capture_output=True,
    )  # fmt: skip
    manifest = json.loads(described.stdout)
    manifest.update(app=app, version=pex_sha256(str(pex)), pex=pex.name, main="weaver.Main")
    manifest_path = out / f"{name}.manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    return pex, manifest_path


SHOP_REQUIREMENTS = ["msgspec", "httptools", "uvloop", "uvicorn", "jinja2", "redis"]
SHOP_PLACEMENT = SRC.parents[1] / "deploy" / "boutique" / "default.toml"


def build_shop(
    out: Path, name: str, redis: str, edit: Callable[[Path], None] | None = None, repository: Path | None = None
) -> tuple[Path, Path]:
    """Build the shop (deploy/boutique/default.toml's placement, carts in the Redis at `redis`)."""
    config = SHOP_PLACEMENT.read_text() + f'\n[apps.boutique.cartstore.CartStore]\nredis = "{redis}"\n# build {name}\n'
    return build_app(out, f"boutique-{name}", "boutique", config, SHOP_REQUIREMENTS, edit, repository=repository)
