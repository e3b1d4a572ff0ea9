"""End-to-end tests run real processes on 127.0.0.1; make the sources and hello's generated code importable."""

import os
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "python"))
if SRC not in sys.path:
    sys.path.insert(0, SRC)

import weaver.testing  # noqa: E402

weaver.testing.ensure_generated("apps.hello")
