"""`weaver.run("apps.hello")`: run an app in a single process.

`run` is a command (an app's `__main__` calls it): it exits with the app's status, and turns
a `WeaverError` raised while starting (missing generated code, a bad config) into a one-line
message and exit status 1. The library functions here (`load_app`, `serve`) raise instead.

Imports the app's generated code, builds the component host with every component
co-located, runs `Main.main`, and on SIGINT/SIGTERM cancels it, runs the `shutdown` hooks in
reverse dependency order and exits 0. Config comes from `--config FILE` or `$WEAVER_CONFIG`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Mapping
from typing import Any

from weaver import config as configmod
from weaver.component import Main
from weaver.errors import WeaverError
from weaver.internal import registry
from weaver.internal.appload import load_app
from weaver.internal.loop import run as run_on_loop
from weaver.runtime.host import ComponentHost
from weaver.version import version

log = logging.getLogger("weaver.run")


def run(app_package: str, argv: list[str] | None = None) -> None:
    """Run the app whose main package is `app_package` until it stops or is signalled; exit."""
    try:
        code = serve(app_package, argv)
    except WeaverError as e:
        print(f"weaver: {e}", file=sys.stderr)
        code = 1
    sys.exit(code)


def serve(app_package: str, argv: list[str] | None = None) -> int:
    """Serve the app until it stops or is signalled; returns its exit status.

    Raises `WeaverError` (e.g. `ConfigError`, `AppNotFoundError`) when it cannot start.
    """
    parser = argparse.ArgumentParser(prog=app_package, description=f"Run {app_package} (weaver app).")
    parser.add_argument("--config", help="TOML config file (default: $WEAVER_CONFIG)")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = configmod.load(args.config)
    load_app(app_package)
    host = ComponentHost(registry.for_app(app_package), config)
    return _run_loop(_serve(host, config))


def _run_loop(coro: Any) -> int:
    code: int = run_on_loop(coro)
    return code


async def _serve(host: ComponentHost, config: Mapping[str, Any]) -> int:
    """Run main until it returns or a signal arrives; returns the exit status."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("starting app (version %s)", version())
    code = 0
    try:
        if configmod.options(config).eager:
            await host.start_all()
        main = await host.get(Main)
        main_task = asyncio.create_task(main.main())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({main_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not main_task.done():
            log.info("signal received: stopping")
            main_task.cancel()
        stopper.cancel()
        try:
            await main_task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("main failed")
            code = 1
    except Exception:
        log.exception("app failed to start")
        code = 1
    finally:
        await host.shutdown()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return code
