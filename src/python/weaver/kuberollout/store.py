"""A rollout's state in the cluster: the ConfigMap `weaver-rollout-<app>` (key `state.json`).

The controller saves every transition here before it takes effect, so the next `weaver kube
rollout` (from any machine with the kubeconfig) resumes or rolls back a rollout whose controller
died, and a replaced proxy pod starts from the tables it implies (the ConfigMap is mounted).

One controller at a time: it holds the ConfigMap through annotations (who, and a heartbeat
every BEAT_S), taken with the object's resourceVersion as a precondition so two controllers
starting at once cannot both win. A holder whose heartbeat is older than STALE_S is dead, and so
is one on this machine whose process is gone (a killed controller is taken over at once).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from typing import Any

import msgspec

from weaver.deployers.kube.proxyobjects import STATE_KEY, labels, state_name
from weaver.internal.procs import pid_alive
from weaver.rollout.paths import RolloutError
from weaver.rollout.state import RolloutState

HOLDER = "weaver.dev/rollout-holder"
HEARTBEAT = "weaver.dev/rollout-heartbeat"
BEAT_S = 5.0
STALE_S = 20.0
log = logging.getLogger("weaver.rollout")


def me() -> str:
    """This controller, as people read it."""
    return f"{socket.gethostname()} pid {os.getpid()}"


def dead_here(holder: str) -> bool:
    """Whether `holder` (`me()` at some time) was a controller on this machine that is gone."""
    m = re.fullmatch(r"(\S+) pid (\d+) at \d+", holder)
    return m is not None and m.group(1) == socket.gethostname() and not pid_alive(int(m.group(2)))


class StateStore:
    """The rollout state ConfigMap of one app in one namespace."""

    def __init__(self, client: Any, namespace: str, app: str) -> None:
        self.client, self.namespace, self.app = client, namespace, app
        self.name = state_name(app)
        self.holder = f"{me()} at {time.time():.0f}"
        self._beating: threading.Event | None = None

    @property
    def where(self) -> str:
        return f"ConfigMap {self.namespace}/{self.name}"

    def _get(self) -> Any | None:
        from lightkube import ApiError
        from lightkube.resources.core_v1 import ConfigMap

        try:
            return self.client.get(ConfigMap, self.name, namespace=self.namespace)
        except ApiError as e:
            if e.status.code == 404:
                return None
            raise RolloutError(f"{self.where}: {e.status.message}") from None

    def _patch(self, body: dict[str, Any]) -> None:
        from lightkube import ApiError
        from lightkube.resources.core_v1 import ConfigMap
        from lightkube.types import PatchType

        try:
            self.client.patch(ConfigMap, self.name, body, namespace=self.namespace, patch_type=PatchType.MERGE)
        except ApiError as e:
            if e.status.code == 409:
                raise RolloutError(f"{self.where} changed under this controller (another controller?)") from None
            raise RolloutError(f"{self.where}: {e.status.message}") from None

    def load(self) -> RolloutState | None:
        """The saved state, None if there is none; RolloutError naming the ConfigMap if corrupt."""
        cm = self._get()
        text = (cm.data or {}).get(STATE_KEY) if cm is not None else None
        if not text:
            return None
        try:
            return msgspec.json.decode(text, type=RolloutState)
        except msgspec.DecodeError as e:
            raise RolloutError(f"{self.where}: corrupt {STATE_KEY}: {e} (fix it or delete the ConfigMap)") from None

    def save(self, state: RolloutState) -> None:
        self._patch({"data": {STATE_KEY: msgspec.json.encode(state).decode()}})

    def hold(self) -> None:
        """Become the app's one controller, or RolloutError naming the live one; then keep beating."""
        from lightkube import ApiError
        from lightkube.models.meta_v1 import ObjectMeta
        from lightkube.resources.core_v1 import ConfigMap

        cm = self._get()
        if cm is None:
            body = ConfigMap(metadata=ObjectMeta(name=self.name, namespace=self.namespace, labels=labels(self.app)))
            try:
                self.client.create(body)
            except ApiError as e:
                if e.status.code != 409:
                    raise RolloutError(f"{self.where}: {e.status.message}") from None
            cm = self._get()
            if cm is None:
                raise RolloutError(f"{self.where}: deleted while this controller created it")
        notes = cm.metadata.annotations or {}
        holder, beat = notes.get(HOLDER), float(notes.get(HEARTBEAT) or 0)
        age = time.time() - beat
        if holder and holder != self.holder and age < STALE_S and not dead_here(holder):
            raise RolloutError(
                f"{holder} runs the rollout of {self.app} ({self.where}, heartbeat {age:.0f} s ago); "
                f"wait for it, or for {STALE_S:.0f} s after it died"
            )
        self._patch({"metadata": {"resourceVersion": cm.metadata.resourceVersion, "annotations": self._notes()}})
        self._beating = threading.Event()
        threading.Thread(target=self._beat, args=(self._beating,), daemon=True, name="weaver-rollout-beat").start()

    def _notes(self) -> dict[str, str]:
        return {HOLDER: self.holder, HEARTBEAT: f"{time.time():.3f}"}

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(BEAT_S):
            try:
                self._patch({"metadata": {"annotations": self._notes()}})
            except RolloutError as e:
                log.warning("%s: heartbeat: %s", self.app, e)

    def release(self) -> None:
        """Stop beating and let the next controller in at once."""
        if self._beating is None:
            return
        self._beating.set()
        self._beating = None
        self._patch({"metadata": {"annotations": {HOLDER: None, HEARTBEAT: None}}})
