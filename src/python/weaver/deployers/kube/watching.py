"""Bounded waits on watch events: list, then watch from the list's resourceVersion."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any


def wait_listed(
    client: Any,
    res: Any,
    namespace: str,
    labels: dict[str, str],
    done: Callable[[dict[str, dict[str, Any]]], bool],
    timeout: float,
) -> dict[str, dict[str, Any]]:
    """Watch `res` objects with `labels` until `done(name -> object)`; at most `timeout` seconds."""
    events: queue.Queue[Any] = queue.Queue()
    listed = client.list(res, namespace=namespace, labels=labels)
    state = {o.metadata.name: o.to_dict() for o in listed}
    if done(state):
        return state
    version = listed.resourceVersion

    def watch() -> None:
        try:
            for kind, obj in client.watch(res, namespace=namespace, labels=labels, resource_version=version):
                events.put((kind, obj.to_dict()))
        except BaseException as e:  # handed to the waiting thread
            events.put(e)

    threading.Thread(target=watch, daemon=True, name="weaver-kube-watch").start()
    deadline = time.monotonic() + timeout
    while not done(state):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{res.__name__} with {labels}: not done after {timeout:g} s: {sorted(state)}")
        try:
            item = events.get(timeout=left)
        except queue.Empty:
            continue
        if isinstance(item, BaseException):
            raise item
        kind, obj = item
        if kind == "DELETED":
            state.pop(obj["metadata"]["name"], None)
        else:
            state[obj["metadata"]["name"]] = obj
    return state
