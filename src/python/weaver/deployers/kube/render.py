"""Objects to a YAML stream: one document per object, each in JSON flow style.

JSON is a subset of YAML 1.2, so every YAML tool and `kubectl apply -f` reads the stream, and
the standard library writes it deterministically (sorted keys): equal inputs give byte-identical
text. (lightkube's YAML writer was the first choice; its models wheel does not import from a
packed PEX, where the `weaver` command runs, so the schema checks live in the tests instead:
lightkube's models and `kubernetes-validate`.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def to_yaml(objects: Iterable[dict[str, Any]]) -> str:
    """A multi-document YAML stream of `objects`, in order."""
    return "".join("---\n" + json.dumps(obj, indent=2, sort_keys=True) + "\n" for obj in objects)
