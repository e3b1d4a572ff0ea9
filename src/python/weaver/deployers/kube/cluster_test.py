"""Why a pod is not Ready, read from the status the kubelet reports."""

from __future__ import annotations

from weaver.deployers.kube.cluster import not_ready_reason, ready


def test_a_crash_looping_container_says_how_it_exited() -> None:
    pod = {"status": {"phase": "Running", "containerStatuses": [{
        "name": "weaver", "ready": False, "restartCount": 3,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
    }]}}
    assert not ready(pod)
    assert not_ready_reason(pod) == (
        "weaver waiting (CrashLoopBackOff: back-off 40s), weaver last exited 1 (Error), 3 restart(s)"
    )


def test_an_unscheduled_pod_gives_its_condition() -> None:
    pod = {"status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes"},
    ]}}
    assert not_ready_reason(pod) == "PodScheduled: Unschedulable 0/1 nodes"


def test_a_running_container_not_yet_probed() -> None:
    pod = {"status": {"phase": "Running", "containerStatuses": [
        {"name": "weaver", "ready": False, "state": {"running": {}}},
    ]}}
    assert not_ready_reason(pod) == "weaver running, probes not passed yet"
