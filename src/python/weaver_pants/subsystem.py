"""The `[weaver]` options: how the plugin treats what it finds in a repo."""

from __future__ import annotations

from enum import Enum

from pants.option.option_types import EnumOption
from pants.option.subsystem import Subsystem
from pants.util.strutil import softwrap


class UnmarkedComponents(Enum):
    """What to do with a component class in a directory that has no `weaver_components()` target."""

    error = "error"
    warning = "warning"
    ignore = "ignore"


class WeaverSubsystem(Subsystem):
    options_scope = "weaver"
    help = "The weaver backend: component code generation, versioned app PEXes and rollouts."

    unmarked_components = EnumOption(
        default=UnmarkedComponents.error,
        help=softwrap(
            """
            What to do when a module defines a `weaver.Component` but its directory's BUILD has no
            `weaver_components()` target, so its code would never be generated: fail (`error`, the
            default: the app would fail at start with a stale-code error), log a `warning`, or
            `ignore` it (for repos that generate code some other way).
            """
        ),
    )
