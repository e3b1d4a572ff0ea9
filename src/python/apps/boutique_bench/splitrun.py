"""`python -m apps.boutique_bench.splitrun --config FILE --listener boutique=HOST:PORT`.

Runs the shop under the multiprocess deployer (`weaver.deployers.multi`) from source, in the
foreground, until SIGINT/SIGTERM; the manager then stops every proclet. Equivalent to
`weaver multi deploy` without packaging the app first.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from apps.boutique_bench import profiled

APP = "apps.boutique"


async def _run(config: str, listeners: dict[str, str], state_dir: str | None) -> int:
    from weaver.deployers.multi import deployment as multi
    from weaver.runtime import launch

    spec = launch.from_source(APP, config, version="bench")
    if profiled.profile_dir():  # every proclet under cProfile (see apps.boutique_bench.profiled)
        i = spec.argv.index("-m")
        spec.argv[i + 1 : i + 1] = ["apps.boutique_bench.profiled"]
    directory = Path(state_dir) / "deployment" if state_dir else None
    manager = await multi.deploy(spec, listeners=listeners, directory=directory)
    return await multi.serve(manager)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--listener", action="append", default=[], help="NAME=HOST:PORT")
    parser.add_argument("--state-dir", default=None, help="keep the deployment's state under DIR")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    listeners = dict(item.split("=", 1) for item in args.listener)
    from weaver.internal.loop import new_event_loop
    from weaver.runtime.proclet_main import apply_gen_path
    from weaver.testing import ensure_generated

    apply_gen_path()  # reuse the bench's generated code if it passed its location
    ensure_generated(APP)
    __import__(f"{APP}.weaver_gen")
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        raise SystemExit(runner.run(_run(args.config, listeners, args.state_dir)))


if __name__ == "__main__":
    main()
