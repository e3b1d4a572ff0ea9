"""Everything generated code (`weaver_gen.py`) imports, in one module.

The role of Service Weaver's `runtime/codegen`: the generator emits
`from weaver.runtime.codegen import ...` and nothing else of weaver's, so what generated code
depends on is written down once, here, and the packages behind it can move freely. Names are
re-exported as they are; keep this list in step with `weaver.codegen.emit.HEADER`.
"""

from __future__ import annotations

from msgspec import Struct

from weaver.codec import decoder, encode
from weaver.codegen.fingerprint import check as check_fingerprint
from weaver.component import Main
from weaver.internal.keys import shard_hash
from weaver.internal.registry import MethodSpec, Registration, register
from weaver.metrics.calls import call_slot
from weaver.runtime.callmetrics import enabled as metrics_enabled
from weaver.runtime.callmetrics import failed as call_failed
from weaver.runtime.callmetrics import now as now_ns
from weaver.runtime.callmetrics import sampled as sampled_call

__all__ = [
    "Main",
    "MethodSpec",
    "Registration",
    "Struct",
    "call_failed",
    "call_slot",
    "check_fingerprint",
    "decoder",
    "encode",
    "metrics_enabled",
    "now_ns",
    "register",
    "sampled_call",
    "shard_hash",
]
