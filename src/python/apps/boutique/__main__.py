"""`python -m apps.boutique [--config deploy/boutique/colocated.toml]` runs the shop in one process."""

import weaver

weaver.run("apps.boutique")
