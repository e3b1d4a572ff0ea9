"""The published status round-trips, and a malformed one is refused naming the file and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weaver.runtime import status
from weaver.runtime.status import DeploymentStatus, GroupStatus, ReplicaStatus


def sample() -> DeploymentStatus:
    replicas = [
        ReplicaStatus(replica="Main.0", pid=41, address="127.0.0.1:5001", healthy=True, restarts=0),
        ReplicaStatus(replica="Main.1", pid=0, address="", healthy=False, restarts=2),
    ]
    return DeploymentStatus(
        app="hello",
        version="ab" * 32,
        manager_pid=40,
        started=1_700_000_000.5,
        healthy=False,
        listeners={"hello": "127.0.0.1:8000"},
        groups=[GroupStatus(name="Main", components=["weaver.Main"], replicas=replicas)],
        command=["python", "-m", "weaver.runtime.proclet_main", "apps.hello"],
    )


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "multi" / "hello" / "v" / "status.json"
    status.write(path, sample())
    assert status.read(path) == sample()
    doc = json.loads(path.read_text())
    assert doc["groups"][0]["replicas"][1]["restarts"] == 2 and doc["config"] is None


def test_summary_counts_healthy_replicas_and_restarts() -> None:
    assert sample().summary() == "1/2 replicas healthy, 2 restarts"


def test_a_missing_status_is_none(tmp_path: Path) -> None:
    assert status.read(tmp_path / "status.json") is None


def test_a_wrong_field_is_named_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    doc = json.loads(status.encode(sample()))
    doc["groups"][0]["replicas"][0]["pid"] = "41"
    path.write_text(json.dumps(doc))
    with pytest.raises(status.StatusError) as e:
        status.read(path)
    assert str(path) in str(e.value) and "$.groups[0].replicas[0].pid" in str(e.value)


def test_a_missing_field_and_garbage_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    doc = json.loads(status.encode(sample()))
    del doc["manager_pid"]
    path.write_text(json.dumps(doc))
    with pytest.raises(status.StatusError, match="manager_pid"):
        status.read(path)
    path.write_bytes(b"{not json")
    with pytest.raises(status.StatusError, match="not a JSON status document"):
        status.read(path)


def test_a_document_from_before_the_metrics_field_still_decodes(tmp_path: Path) -> None:
    doc = json.loads(status.encode(sample()))
    del doc["metrics"]
    path = tmp_path / "status.json"
    path.write_text(json.dumps(doc))
    old = status.read(path)
    assert old is not None and old.metrics == "" and old.app == "hello"
    published = json.loads(status.encode(DeploymentStatus(**{**doc, "metrics": "127.0.0.1:9464"})))
    assert published["metrics"] == "127.0.0.1:9464"
