"""Makes an app's `weaver_gen` importable in tests that run from source (no Pants).

Under Pants the plugin puts `weaver_gen.py` beside the sources and this does nothing. From a
plain checkout it generates the code into a temporary directory and appends that directory
to the package's `__path__`, so the source tree is never written to.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import os
import shutil
import tempfile

# Generated modules import this; importing it here keeps it in the build closure of the tests
# that generate code and then import it.
import weaver.runtime.codegen  # noqa: F401
from weaver.codegen.generate import generate

_out_dir: str | None = None


def ensure_generated(*packages: str) -> None:
    """Make `<package>.weaver_gen` importable for each package (generating if needed)."""
    global _out_dir
    for package in packages:
        if importlib.util.find_spec(f"{package}.weaver_gen") is not None:
            continue
        pkg = importlib.import_module(package)
        pkg_dir = list(pkg.__path__)[0]
        root = pkg_dir
        for _ in package.split("."):
            root = os.path.dirname(root)
        if _out_dir is None:
            _out_dir = tempfile.mkdtemp(prefix="weaver_gen_")
            atexit.register(shutil.rmtree, _out_dir, ignore_errors=True)
        result = generate([pkg_dir], [root])
        result.write(_out_dir)
        gen_dir = os.path.join(_out_dir, *package.split("."))
        if gen_dir not in pkg.__path__:
            pkg.__path__.append(gen_dir)
        importlib.invalidate_caches()
