"""Import lightkube where a packed PEX keeps its two wheels apart.

lightkube and lightkube-models both ship files under the `lightkube` package, and
`lightkube/__init__.py` is a regular package: in a zipapp PEX each wheel is its own sys.path entry,
so `lightkube.models` is not found (`No module named 'lightkube.models'`). `load()` imports lightkube
with every sys.path entry's `lightkube/` directory on the package's path. Elsewhere it is a plain import.
"""

from __future__ import annotations

import importlib.util
import os
import sys


def load() -> None:
    """Make `import lightkube` (and its models) work; idempotent."""
    if "lightkube" in sys.modules:
        return
    spec = importlib.util.find_spec("lightkube")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not installed: the caller's import names what is missing
    if any(os.path.isdir(os.path.join(d, "models")) for d in spec.submodule_search_locations):
        return  # one directory holds both wheels (a venv): the plain import works
    for entry in sys.path:
        extra = os.path.join(entry, "lightkube")
        if os.path.isdir(os.path.join(extra, "models")) and extra not in spec.submodule_search_locations:
            spec.submodule_search_locations.append(extra)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lightkube"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["lightkube"]
        raise
