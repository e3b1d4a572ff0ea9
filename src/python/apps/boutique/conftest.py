"""Makes `apps.boutique.weaver_gen` importable when tests run from source (no-op under Pants).

Only when the weaver core is importable: the shared logic and frontend tests do not need it.
"""

try:
    import weaver.testing
except ImportError:  # pragma: no cover - the core is built separately
    pass
else:
    weaver.testing.ensure_generated("apps.boutique")
