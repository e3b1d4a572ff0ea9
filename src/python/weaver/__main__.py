"""`python -m weaver ...` runs the `weaver` command."""

import sys

from weaver.cli import main

sys.exit(main())
