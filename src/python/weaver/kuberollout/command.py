"""`weaver kube rollout APP.pex` and `weaver kube abort APP`: the version-pinned rollout on Kubernetes.

The controller is the one `weaver rollout deploy` runs (rollout/controller.py), driving the
proxy Deployment (front.py) and the versions' Deployments (deployer.py): it applies the new
version, waits until its pods are Ready, shifts traffic in gated steps through the proxy's
admin endpoints, drains the old version's pinned sessions, then deletes the old version. The
state lives in the cluster (store.py); a copy, the log and the dashboard's view are kept
under `<state dir>/kube/<namespace>/rollout/<app>/`.

An unfinished rollout found in the cluster (its controller died) is resumed when the same version
is rolled out again, and rolled back first when another one is.

Exit status: 0 done, 1 error, 2 bad usage or config, 3 rolled back, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from weaver.config import ConfigError
from weaver.deployers.kube import cluster
from weaver.deployers.kube import config as kubeconfig
from weaver.rollout import schedule
from weaver.rollout.outcome import log_to, report
from weaver.rollout.paths import AppPaths, RolloutError, check_app
from weaver.rollout.state import RolloutState

log = logging.getLogger("weaver.rollout")


def add_subcommands(sub: Any) -> None:
    """`weaver kube`: the kube deployer's subcommands, and `rollout` and `abort`."""
    from weaver.deployers.kube import command as kube

    kube.add_subcommands(sub, more=_add_rollout_parsers)


def _add_rollout_parsers(ksub: Any) -> None:
    """`rollout` and `abort` under `weaver kube`."""
    from weaver.rollout.command import add_plan_arguments

    r = ksub.add_parser("rollout", help="roll out a version through the app's proxy on the cluster")
    r.add_argument("app", help="the app's PEX (its .manifest.json beside it; its image on the nodes)")
    r.add_argument("--config", required=True, help="the deployment's kube.toml ([kube] section)")
    r.add_argument("--image", help="the version's image (default: the name `weaver kube image` gives it)")
    add_plan_arguments(r)
    a = ksub.add_parser("abort", help="send all traffic back to the old version and delete the new one")
    a.add_argument("app", help="the app's name")
    a.add_argument("--config", required=True, help="the deployment's kube.toml (for its namespace)")


def local_paths(namespace: str, app: str) -> AppPaths:
    from weaver.internal import statedir

    return AppPaths(app, statedir.root() / "kube" / namespace)


def _version_of(pex: Path) -> tuple[str, str, list[str], Path]:
    """(app, version, listener names, manifest path) of a built PEX, checked against each other."""
    from weaver.deployers.kube.command import manifest_path
    from weaver.rollout.package import checked_build, manifest_listeners

    where = manifest_path(str(pex))
    manifest, version = checked_build(pex, where)
    names = manifest_listeners(manifest)
    if not names:
        raise RolloutError(f"{where}: the app has no listener: nothing for a proxy to route")
    return check_app(manifest["app"]), version, names, where


class Session:
    """One controller's hold on an app's rollout in one namespace."""

    def __init__(self, args: argparse.Namespace, app: str) -> None:
        from weaver.kuberollout.deployer import KubeDeployer
        from weaver.kuberollout.store import StateStore

        self.cfg = kubeconfig.load(args.config)
        self.client = cluster.connect(args.kubeconfig)
        self.app = app
        self.store = StateStore(self.client, self.cfg.namespace, app)
        self.deployer = KubeDeployer(self.client, self.cfg, args.config, getattr(args, "image", None))
        self.paths = local_paths(self.cfg.namespace, app)
        log_to(self.paths)

    def drive(self, state: RolloutState, action: str, tick: float, names: list[str]) -> RolloutState:
        """Run the controller on `state` (action: run, resume or abort). A proxy that is not
        there yet runs from the image of the version serving (the old one, else the new one)."""
        from weaver.deployers.kube.image import image_name
        from weaver.kuberollout.front import KubeFront
        from weaver.rollout.controller import Controller
        from weaver.rollout.display import Display

        first = state.old or state.new
        image = self.deployer.image if self.deployer.image and first == state.new else image_name(self.app, first)
        front = KubeFront(self.client, self.cfg, self.app, image, Path(state.versions[first].pex).name, names)
        state.listeners = front.ensure(state.listeners)
        self.store.save(state)
        display = Display()
        controller = Controller(
            state, self.paths, front, self.deployer, observer=display, tick_s=tick, store=self.store.save
        )
        try:
            return getattr(controller, action)()  # type: ignore[no-any-return]
        finally:
            display.close()


def rollout(args: argparse.Namespace) -> int:
    from weaver.rollout.begin import AlreadyLive, begin
    from weaver.rollout.command import plan_of
    from weaver.rollout.controller import short

    pex = Path(args.app).resolve()
    app, version, names, _ = _version_of(pex)
    plan = plan_of(args)
    tick = schedule.parse_duration(args.tick, "--tick")
    session = Session(args, app)
    session.store.hold()
    try:
        previous = session.store.load()
        if previous is not None and not previous.over:
            if previous.new == version:
                log.info("%s: resuming the unfinished rollout of %s", app, short(version))
                print(f"resuming the unfinished rollout of {app} to {short(version)} (phase {previous.phase})")
                final = session.drive(previous, "resume", tick, names)
                return report(final)
            print(f"rolling back the unfinished rollout of {app} to {short(previous.new)} first")
            session.drive(previous, "abort", tick, names)
            previous = session.store.load()
        try:
            state = begin(app, version, str(pex), {n: "" for n in names}, plan, previous, session.deployer,
                          time.time())  # fmt: skip
        except AlreadyLive as e:
            print(f"{e}: nothing to do")
            return 0
        return report(session.drive(state, "run", tick, names))
    finally:
        session.store.release()


def abort(args: argparse.Namespace) -> int:
    app = check_app(args.app)
    session = Session(args, app)
    session.store.hold()
    try:
        state = session.store.load()
        if state is None:
            raise RolloutError(f"no rollout of {app} in {session.store.where}")
        if state.over:
            raise RolloutError(f"the rollout of {app} is {state.phase}: nothing to abort")
        final = session.drive(state, "abort", 1.0, sorted(state.listeners))
        print(f"aborted: {final.live[:12] if final.live else 'no version'} serves {app}")
        return 0
    finally:
        session.store.release()


def run(args: argparse.Namespace) -> int:
    """`weaver kube ...`: rollout and abort here, the rest by the kube deployer."""
    if args.kube_command not in ("rollout", "abort"):
        from weaver.deployers.kube import command as kube

        return kube.run(args)
    return _run_rollout(args)


def _run_rollout(args: argparse.Namespace) -> int:
    """`weaver kube rollout|abort`; errors are printed, not raised."""
    try:
        return rollout(args) if args.kube_command == "rollout" else abort(args)
    except ConfigError as e:
        print(f"weaver kube {args.kube_command}: {e}", file=sys.stderr)
        return 2
    except (RolloutError, cluster.KubeError) as e:
        print(f"weaver kube {args.kube_command}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"weaver kube {args.kube_command}: interrupted; the proxy and the versions keep serving: run "
              "`weaver kube rollout` with the same PEX to resume, or `weaver kube abort`", file=sys.stderr)
        return 130
