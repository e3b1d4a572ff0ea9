"""`python -m apps.boutique_bench.colocated --config FILE`: `python -m apps.boutique`, plus
`$WEAVER_GEN_PATH` applied so that generated code kept outside the source tree is found."""

from __future__ import annotations

import weaver
from weaver.runtime.proclet_main import apply_gen_path


def main() -> None:
    apply_gen_path()
    weaver.run("apps.boutique")


if __name__ == "__main__":
    main()
