"""Objects to YAML through lightkube's models: each object is checked against the Kubernetes
schema of lightkube-models (an unknown field or kind fails here, not at `kubectl apply`), and
documents are written with sorted keys, so equal inputs give byte-identical text.

lightkube is the client `weaver kube apply` will use too: typed models for every API version,
asyncio support, few dependencies (unlike `kubernetes`, which generates a 30 MB package).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lightkube import codecs


def to_yaml(objects: Iterable[dict[str, Any]]) -> str:
    """A multi-document YAML stream of `objects`, in order."""
    resources = [codecs.from_dict(obj) for obj in objects]
    text = codecs.dump_all_yaml(resources)
    assert text is not None
    return text
