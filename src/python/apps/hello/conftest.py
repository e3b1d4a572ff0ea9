"""Makes `apps.hello.weaver_gen` importable when tests run from source (no-op under Pants)."""

import weaver.testing

weaver.testing.ensure_generated("apps.hello")
