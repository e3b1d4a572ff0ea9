"""The dashboard's rollout section, rendered from what a real controller recorded (against fakes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import msgspec

from weaver.dashboard import pages
from weaver.dashboard import rollout as dashrollout
from weaver.dashboard.model import Overview
from weaver.rollout import dashview
from weaver.rollout.begin import begin
from weaver.rollout.controller import Controller
from weaver.rollout.fakes import FakeClock, FakeDeployer, FakeFront, FakeWarmer
from weaver.rollout.paths import AppPaths
from weaver.rollout.state import Gate, Plan, RolloutState, load, save

A, B = "a" * 64, "b" * 64


class Rows(HTMLParser):
    """The verdict rows' cells and the chart's dots' decisions."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.dots: list[str] = []
        self.split: dict[str, str] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._version = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "verdict-row":
            self._row = []
        elif tag == "tr" and "data-version" in a:
            self._version = a["data-version"] or ""
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "td" and a.get("class") == "n weight":
            self._cell = []
        elif tag == "circle":
            self.dots.append(a.get("data-decision") or "")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._row is not None:
                self._row.append(text)
            else:
                self.split[self._version] = text
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def roll(tmp: Path, bad: float = 0.0) -> RolloutState:
    """hello's A, then a rollout to B (10% -> 50% -> 100%, 10 s steps), as the controller records it."""
    paths, clock = AppPaths("hello", tmp), FakeClock()
    front, deployer = FakeFront(clock), FakeDeployer(clock)
    plan = Plan(steps=[10, 50, 100], step_s=10.0, drain_timeout_s=20.0, gate=Gate(min_requests=10))
    for version in (A, B):
        state = begin("hello", version, f"/x/{version}.pex", {"web": "127.0.0.1:8080"}, plan,
                      load(paths.state), deployer, clock.now())  # fmt: skip
        save(paths.state, state)
        front.bad[B] = bad
        Controller(state, paths, front, deployer, clock, tick_s=1.0, warmer=FakeWarmer(front, deployer)).run()
    final = load(paths.state)
    assert final is not None
    return final


def render(tmp: Path, state: RolloutState) -> tuple[str, Rows]:
    view = dashrollout.read(tmp, "hello")  # the file the controller wrote, as a manager reads it
    assert view == dashview.view(state)
    html = pages.overview(Overview(deployments=[], rollouts=[view]))
    parsed = Rows()
    parsed.feed(html)
    return html, parsed


def test_a_promoted_rollout_shows_each_steps_split_and_the_gates_passes(tmp_path: Path) -> None:
    state = roll(tmp_path)
    assert state.phase == "done"
    html, page = render(tmp_path, state)
    assert 'data-rollout="hello" data-phase="done"' in html
    assert page.split == {B: "100%"}  # the split in force now
    ticks = [p for p in state.points if p.decision != "phase"]
    assert len(page.dots) == len(state.points) and ticks
    steps = {row[1]: row[2] for row in page.rows if row[4] == "pass"}
    assert steps == {"1": "90 / 10", "2": "50 / 50", "3": "0 / 100"}  # every step passed, at its split
    assert all(row[4] != "rollback" for row in page.rows)
    assert "gate: promoted: " in html
    new_rate = {row[1]: float(row[3].split(" / ")[1]) for row in page.rows if row[4] == "pass"}
    assert 0 < new_rate["1"] < new_rate["2"] < new_rate["3"]  # its requests/s grew with its weight
    assert page.rows[0][4] == "phase" and page.rows[0][5] == "done"  # newest first


def test_a_rolled_back_rollout_shows_the_rollback_verdict_in_red(tmp_path: Path) -> None:
    state = roll(tmp_path, bad=0.5)
    assert state.phase == "rolled_back"
    html, page = render(tmp_path, state)
    (rollback,) = (row for row in page.rows if row[4] == "rollback")
    assert rollback[1] == "1" and rollback[2] == "90 / 10" and "errors 50.0%" in rollback[5]
    assert "rollback" in page.dots
    assert re.search(r'<td class="bad">rollback</td>', html)
    assert page.split == {A: "100%"}
    assert 'class="bad">rolled_back</span>' in html


def test_points_are_bounded_and_survive_the_state_file(tmp_path: Path) -> None:
    state = roll(tmp_path)
    for i in range(1000):
        state.mark("hold", f"holding {i}", {B: 1.0}, 2000.0 + i)
    assert len(state.points) == 600 and state.points[-1].reason == "holding 999"
    assert msgspec.json.decode(msgspec.json.encode(state), type=RolloutState) == state
