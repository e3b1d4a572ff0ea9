"""Makes the apps used by the runtime's tests importable from source (no-op under Pants)."""

import weaver.testing

weaver.testing.ensure_generated("apps.hello")
