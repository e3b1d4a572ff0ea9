"""`weaver single deploy APP.pex [--config FILE]`: run an app in this terminal, in one process."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def add_subcommands(sub: Any) -> None:
    """Add `single` to the `weaver` command's subparsers."""
    single = sub.add_parser("single", help="run an app in one process")
    ssub = single.add_subparsers(dest="single_command", required=True)
    sdeploy = ssub.add_parser("deploy", help="run APP.pex in this terminal")
    sdeploy.add_argument("pex")
    sdeploy.add_argument("--config")


def run(args: argparse.Namespace) -> int:
    """Replace this process with the app's own entry point (the PEX's interpreter and main)."""
    from weaver.runtime.launch import LaunchError, from_pex

    try:
        spec = from_pex(args.pex)
    except LaunchError as e:
        print(f"weaver single deploy: {e}", file=sys.stderr)
        return 2
    argv = spec.argv + (["--config", os.path.abspath(args.config)] if args.config else [])
    os.execv(argv[0], argv)
