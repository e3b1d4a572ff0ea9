"""`python -m apps.hello [--config apps/hello/config.toml]` runs hello in one process."""

import weaver

weaver.run("apps.hello")
